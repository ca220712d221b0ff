package main

import (
	"math"
	"slices"
	"testing"
)

// rowKey returns a record's exact contents as a map key.
func rowKey(a, b []float32) string {
	buf := make([]byte, 0, 4*(len(a)+len(b)))
	for _, v := range append(append([]float32(nil), a...), b...) {
		u := math.Float32bits(v)
		buf = append(buf, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return string(buf)
}

// TestOneHotSplitIsExhaustiveAndDisjoint checks one_hot's finite domain
// pair by pair: every one of the 16,384 pairs is in exactly one split, the
// split sizes are 4,000 / 4,000 / 8,384, and every row is one-hot.
func TestOneHotSplitIsExhaustiveAndDisjoint(t *testing.T) {
	d, err := newData(oneHot, 7, 1000000, 4000, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if d.TrainSize != 8384 {
		t.Fatalf("training pairs %d, want 8384", d.TrainSize)
	}
	where := make([]int, oneHotDomain) // which split holds each pair: 1 val, 2 test, 3 train
	pairOf := func(a, b []float32) int {
		ia, ib, ones := -1, -1, 0
		for i := range a {
			if a[i] == 1 {
				ia, ones = i, ones+1
			} else if a[i] != 0 {
				t.Fatalf("one_hot element %v", a[i])
			}
			if b[i] == 1 {
				ib, ones = i, ones+1
			} else if b[i] != 0 {
				t.Fatalf("one_hot element %v", b[i])
			}
		}
		if ones != 2 {
			t.Fatalf("record with %d ones, want 2", ones)
		}
		return ia*busWidth + ib
	}
	mark := func(p, split int) {
		if where[p] != 0 {
			t.Fatalf("pair %d in splits %d and %d", p, where[p], split)
		}
		where[p] = split
	}
	for i := 0; i < 4000; i++ {
		mark(pairOf(d.Val.A.Row(i), d.Val.B.Row(i)), 1)
		mark(pairOf(d.Test.A.Row(i), d.Test.B.Row(i)), 2)
	}
	a, b := make([]float32, busWidth), make([]float32, busWidth)
	for i := 0; i < d.TrainSize; i++ {
		if !d.trainRecord(i, a, b) {
			t.Fatalf("training pair %d refused", i)
		}
		mark(pairOf(a, b), 3)
	}
	for p, w := range where {
		if w == 0 {
			t.Fatalf("pair %d in no split", p)
		}
	}
}

// TestGeneratedSplitsAreDisjointAndUnique checks, for the three generated
// datasets, that validation and test records are each unique and share no
// record, that training records drawn into batches are never held out, and
// the value ranges and many_hot's density.
func TestGeneratedSplitsAreDisjointAndUnique(t *testing.T) {
	for _, kind := range []datasetKind{manyHot, random, randomPos} {
		name := datasetNames[kind]
		d, err := newData(kind, 3, 1000000, 4000, 4000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		check := func(split string, a, b []float32) {
			k := rowKey(a, b)
			if prev, ok := seen[k]; ok {
				t.Fatalf("%s: a %s record repeats a %s record", name, split, prev)
			}
			seen[k] = split
		}
		for i := 0; i < 4000; i++ {
			check("validation", d.Val.A.Row(i), d.Val.B.Row(i))
			check("test", d.Test.A.Row(i), d.Test.B.Row(i))
		}
		r := newRNG(4)
		a, b := newTensor(32, busWidth), newTensor(32, busWidth)
		var ones, total float64
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for batch := 0; batch < 200; batch++ {
			d.fillTrainBatch(&r, a, b)
			for i := 0; i < 32; i++ {
				if s, held := seen[rowKey(a.Row(i), b.Row(i))]; held {
					t.Fatalf("%s: a training batch holds a %s record", name, s)
				}
			}
			for _, v := range append(append([]float32(nil), a.Data...), b.Data...) {
				lo, hi = min(lo, v), max(hi, v)
				if v == 1 {
					ones++
				}
				total++
			}
		}
		switch kind {
		case manyHot:
			if lo != 0 || hi != 1 {
				t.Errorf("many_hot values in [%v, %v]", lo, hi)
			}
			if density := ones / total; math.Abs(density-0.5) > 0.01 {
				t.Errorf("many_hot density %.4f, want 0.5", density)
			}
		case random:
			if lo < -1 || hi >= 1 || lo > -0.99 || hi < 0.99 {
				t.Errorf("random values in [%v, %v], want [-1, 1)", lo, hi)
			}
		case randomPos:
			if lo < 0 || hi >= 1 || lo > 0.01 || hi < 0.99 {
				t.Errorf("random_pos values in [%v, %v], want [0, 1)", lo, hi)
			}
		}
	}
}

// TestTrainingSkipsHeldOutRecords plants training record 5 in the
// validation set and checks it is then refused, and never drawn into a
// batch even from a training set of only ten records.
func TestTrainingSkipsHeldOutRecords(t *testing.T) {
	d, err := newData(random, 1, 10, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]float32, busWidth), make([]float32, busWidth)
	if !d.trainRecord(5, a, b) {
		t.Fatal("record 5 refused before it was held out")
	}
	copy(d.Val.A.Row(0), a)
	copy(d.Val.B.Row(0), b)
	d.heldOut = map[uint64][]int32{}
	for j := 0; j < 6; j++ {
		ha, hb := d.heldOutRow(j)
		h := recordHash(ha, hb)
		d.heldOut[h] = append(d.heldOut[h], int32(j))
	}
	if d.trainRecord(5, a, b) {
		t.Fatal("a held-out record was accepted for training")
	}
	planted := rowKey(a, b)
	r := newRNG(2)
	ba, bb := newTensor(32, busWidth), newTensor(32, busWidth)
	for batch := 0; batch < 50; batch++ {
		d.fillTrainBatch(&r, ba, bb)
		for i := 0; i < 32; i++ {
			if rowKey(ba.Row(i), bb.Row(i)) == planted {
				t.Fatal("a held-out record was drawn into a batch")
			}
		}
	}
}

// TestDatasetsArePureFunctionsOfTheSeed checks that one seed always gives
// the same records and another seed different ones, for every dataset, and
// that a training set of 2^40 records costs nothing to set up.
func TestDatasetsArePureFunctionsOfTheSeed(t *testing.T) {
	for kind := range datasetNames {
		k := datasetKind(kind)
		x, _ := newData(k, 11, 1<<40, 50, 50)
		y, _ := newData(k, 11, 1<<40, 50, 50)
		z, _ := newData(k, 12, 1<<40, 50, 50)
		if !equalData(x.Val.A.Data, y.Val.A.Data) || !equalData(x.Test.B.Data, y.Test.B.Data) {
			t.Errorf("%s: same seed, different held-out records", datasetNames[k])
		}
		if equalData(x.Val.A.Data, z.Val.A.Data) {
			t.Errorf("%s: different seeds, same validation records", datasetNames[k])
		}
		ra, rb := newRNG(5), newRNG(5)
		a1, b1, a2, b2 := newTensor(32, busWidth), newTensor(32, busWidth), newTensor(32, busWidth), newTensor(32, busWidth)
		x.fillTrainBatch(&ra, a1, b1)
		y.fillTrainBatch(&rb, a2, b2)
		if !equalData(a1.Data, a2.Data) || !equalData(b1.Data, b2.Data) {
			t.Errorf("%s: same seed, different training batches", datasetNames[k])
		}
	}
}

// TestOneHotSizesRefused checks that held-out sets too large for one_hot's
// domain are a clear error.
func TestOneHotSizesRefused(t *testing.T) {
	if _, err := newData(oneHot, 1, 100, 10000, 6384); err == nil {
		t.Fatal("one_hot accepted held-out sets that leave no training pairs")
	}
}

// BenchmarkFillTrainBatch measures drawing one training batch (32 records,
// each generated, hashed and checked against the held-out records) with the
// paper's sizes, per dataset.
func BenchmarkFillTrainBatch(b *testing.B) {
	for _, kind := range []datasetKind{oneHot, manyHot, random} {
		b.Run(datasetNames[kind], func(b *testing.B) {
			d, err := newData(kind, 1, 1000000, 4000, 4000)
			if err != nil {
				b.Fatal(err)
			}
			r := newRNG(2)
			ba, bb := newTensor(32, busWidth), newTensor(32, busWidth)
			b.ReportAllocs()
			for b.Loop() {
				d.fillTrainBatch(&r, ba, bb)
			}
		})
	}
}

// TestExtrapolationSets checks the sets drawn outside the training range:
// x2 and x4 records have every element outside the training range and
// inside the scaled one (so no record is a training record); the density
// sets have about the asked share of ones and share no record with
// training; each set is a pure function of the seed; the labels an
// experiment gets on them are the task's, checked by hand on a few
// records; and one_hot has none.
func TestExtrapolationSets(t *testing.T) {
	const size = 2000
	for i, set := range extrapolationSets {
		for _, kind := range []datasetKind{oneHot, manyHot, random, randomPos} {
			want := kind != oneHot && (set.Scale > 0) == (kind == random || kind == randomPos)
			if set.appliesTo(kind) != want {
				t.Errorf("%s applies to %s: %v, want %v", set.Name, datasetNames[kind], !want, want)
			}
			if !want {
				continue
			}
			s := newExtrapolationSplit(i, kind, kind, 5, size)
			again := newExtrapolationSplit(i, kind, kind, 5, size)
			if !equalFloats(s.A.Data, again.A.Data) || !equalFloats(s.B.Data, again.B.Data) {
				t.Errorf("%s on %s: not a pure function of the seed", set.Name, datasetNames[kind])
			}
			all := append(slices.Clone(s.A.Data), s.B.Data...)
			switch kind {
			case random, randomPos:
				lo := float32(0)
				if kind == random {
					lo = -set.Scale
				}
				for _, x := range all {
					inTraining := x >= -1 && x < 1
					if kind == randomPos {
						inTraining = x >= 0 && x < 1
					}
					if inTraining || x < lo || x >= set.Scale {
						t.Fatalf("%s on %s: element %g", set.Name, datasetNames[kind], x)
					}
				}
				if lo, hi := slices.Min(all), slices.Max(all); hi < set.Scale-0.1 || (kind == random && lo > -set.Scale+0.1) {
					t.Errorf("%s on %s: elements span [%g, %g], not the scaled range", set.Name, datasetNames[kind], lo, hi)
				}
			case manyHot:
				ones := 0.0
				for _, x := range all {
					if x != 0 && x != 1 {
						t.Fatalf("%s: element %g", set.Name, x)
					}
					ones += float64(x)
				}
				if share := ones / float64(len(all)); math.Abs(share-set.Density) > 0.01 {
					t.Errorf("%s: %.3f ones, want %.2f", set.Name, share, set.Density)
				}
				d, err := newData(manyHot, 5, 50000, 10, 10)
				if err != nil {
					t.Fatal(err)
				}
				inSet := map[string]bool{}
				for row := 0; row < size; row++ {
					inSet[rowKey(s.A.Row(row), s.B.Row(row))] = true
				}
				a, b := make([]float32, busWidth), make([]float32, busWidth)
				for j := 0; j < d.TrainSize; j++ {
					if d.trainRecord(j, a, b) && inSet[rowKey(a, b)] {
						t.Fatalf("%s: training record %d is in the set", set.Name, j)
					}
				}
			}
		}
	}

	// The labels of an experiment's sets, by hand: reduce_sum on random
	// and logical_and on many_hot, three records each.
	p := quickProtocol()
	p.TestSize = 3
	for _, c := range []struct{ task, dataset string }{{"reduce_sum", "random"}, {"logical_and", "many_hot"}} {
		task, _ := lookupTask(c.task)
		kind, _ := parseDataset(c.dataset)
		sets := newExtrapolation(p, Experiment{Task: task, Dataset: kind, Seed: 2}, kind)
		for i, s := range sets {
			if s.Labels == nil {
				continue
			}
			for row := 0; row < 3; row++ {
				a, b, l := s.A.Row(row), s.B.Row(row), s.Labels.Row(row)
				switch c.task {
				case "reduce_sum":
					var sum float64
					for j := range a {
						sum += float64(a[j]) + float64(b[j])
					}
					if math.Abs(float64(l[0])-sum) > 1e-3 {
						t.Errorf("%s reduce_sum record %d: label %g, sum %g", extrapolationSets[i].Name, row, l[0], sum)
					}
				case "logical_and":
					for j := range a {
						if want := a[j] * b[j]; l[j] != want {
							t.Fatalf("%s logical_and record %d element %d: label %g, want %g", extrapolationSets[i].Name, row, j, l[j], want)
						}
					}
				}
			}
		}
		if n := len(slices.DeleteFunc(sets[:], func(s labelledSplit) bool { return s.Labels == nil })); n != 2 {
			t.Errorf("%s: %d extrapolation sets, want 2", c.dataset, n)
		}
	}
}
