// datasets.go: the study's four input distributions and their training,
// validation and test splits.
//
// Every record is two vectors a and b of width W = 128. The four datasets
// (PROTOCOL.md, "Datasets"):
//
//	one_hot     exactly one element of each vector is 1, the rest 0
//	many_hot    each element 0 or 1 with probability 1/2
//	random      each element uniform in [-1, 1)
//	random_pos  each element uniform in [0, 1)   (the original drew [-1, 1) by mistake)
//
// Records are generated, never stored in bulk: record i of a stream is a
// pure function of (seed, dataset, stream, i), so the training set of a
// million records costs no memory. Only the validation and test sets, 4,000
// records each, are held as tensors, because every evaluation reads them.
//
// The three splits are disjoint and each is free of duplicates:
//   - one_hot has only 128 x 128 = 16,384 distinct records, so its domain is
//     split by pair: a seeded shuffle of all pairs gives the test pairs first,
//     the validation pairs next, and training gets every pair left over
//     (8,384 with the default sizes).
//   - the others draw validation records from their own stream, skipping
//     repeats, then test records, skipping repeats and validation records;
//     training record i (i below the training-set size) is record i of the
//     training stream, and a training record equal to a held-out one is
//     skipped when batches are drawn. Two training records can coincide only
//     if 256 independent draws all agree (for many_hot, probability 2^-256
//     per pair), which is why training records are not checked against each
//     other.
package main

import (
	"fmt"
	"math"
)

// datasetKind identifies one of the four generators.
type datasetKind uint8

const (
	oneHot datasetKind = iota
	manyHot
	random
	randomPos
)

// datasetNames are the article's names, indexed by datasetKind.
var datasetNames = [...]string{oneHot: "one_hot", manyHot: "many_hot", random: "random", randomPos: "random_pos"}

// oneHotDomain is the number of distinct one_hot records: W·W pairs.
const oneHotDomain = busWidth * busWidth

// zeroFraction is the expected fraction of zeros in the kind's records:
// one_hot 127/128, many_hot 1/2, the others 0.
func (k datasetKind) zeroFraction() float64 {
	switch k {
	case oneHot:
		return 1 - 1.0/busWidth
	case manyHot:
		return 0.5
	}
	return 0
}

// parseDataset returns the dataset the article calls name.
func parseDataset(name string) (datasetKind, error) {
	return parseName[datasetKind]("dataset", datasetNames[:], name)
}

// Streams of records: each split draws from its own.
const (
	streamTrain uint64 = iota + 1
	streamVal
	streamTest
	streamExtrapolation // followed by the set's index in extrapolationSets
)

// drawRecord fills a and b (W each) with the next record of kind from r.
// one_hot records are not drawn this way (see Data); a one_hot record here
// is a uniform pair, used by tests and by the replay's overlap.
func drawRecord(kind datasetKind, r *rng, a, b []float32) {
	switch kind {
	case oneHot:
		clear(a)
		clear(b)
		a[r.intn(len(a))] = 1
		b[r.intn(len(b))] = 1
	case manyHot:
		fillBits(r, a)
		fillBits(r, b)
	case random:
		fillUniform(r, a, -1, 2)
		fillUniform(r, b, -1, 2)
	case randomPos:
		fillUniform(r, a, 0, 1)
		fillUniform(r, b, 0, 1)
	}
}

// fillBits sets each element of v to 0 or 1, one random bit each.
func fillBits(r *rng, v []float32) {
	var word uint64
	for i := range v {
		if i%64 == 0 {
			word = r.next()
		}
		v[i] = float32(word & 1)
		word >>= 1
	}
}

// fillUniform sets each element of v to lo + span·u with u uniform in
// [0, 1) on a grid of 2^-24, two values from each 64 random bits. With
// (lo, span) = (-1, 2) or (0, 1) every value is exact in float32 and stays
// inside [lo, lo+span).
func fillUniform(r *rng, v []float32, lo, span float32) {
	const scale = 1.0 / (1 << 24)
	var word uint64
	for i := range v {
		if i%2 == 0 {
			word = r.next()
		} else {
			word <<= 24
		}
		v[i] = lo + span*float32(word>>40)*scale
	}
}

// hashPrefix is how many leading elements of each of a and b recordHash
// reads. Equal hashes are always confirmed element by element, so the hash
// only has to make false matches rare: 16 + 16 elements carry 32 random bits
// for many_hot (a training record then matches one of 8,000 held-out hashes
// with probability 2^-19) and 768 for the continuous datasets. Every
// training record drawn is hashed, so hashing a prefix rather than all 256
// elements keeps the held-out check a small part of drawing a batch
// (BenchmarkFillTrainBatch).
const hashPrefix = 16

// FNV-1a's 64-bit offset basis and prime (Fowler, Noll and Vo; IETF draft
// draft-eastlake-fnv): h = (h XOR word) · prime, from h = the basis.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// fnv1aFloats continues the FNV-1a hash h over the exact bits of v, one
// 32-bit word per element.
func fnv1aFloats(h uint64, v []float32) uint64 {
	for _, x := range v {
		h = (h ^ uint64(math.Float32bits(x))) * fnvPrime64
	}
	return h
}

// recordHash is a 64-bit hash of the exact bits of the first hashPrefix
// elements of a and of b (FNV-1a over 32-bit words, then mixed), to find
// held-out records quickly. It only keys a lookup whose matches are checked
// in full, so no number depends on its value.
func recordHash(a, b []float32) uint64 {
	h := fnv1aFloats(fnvOffset64, a[:min(hashPrefix, len(a))])
	return mix64(fnv1aFloats(h, b[:min(hashPrefix, len(b))]))
}

// Split is a held-out set of records: row i of A and B is record i.
type Split struct {
	A, B *Tensor // (records, W) each
}

// Data is one dataset's splits for one seed: the validation and test sets in
// memory, and the training set as a rule for drawing batches.
type Data struct {
	Kind      datasetKind
	gen       datasetKind // the generator its records are drawn with: Kind, but random for random_pos under the replay's random-pos
	Val, Test Split
	// TrainSize is how many distinct training records there are: the
	// requested size for the generated datasets, the pairs left after the
	// held-out ones for one_hot.
	TrainSize  int
	seed       uint64
	trainPairs []uint16           // one_hot: training pairs, as ia·W + ib
	heldOut    map[uint64][]int32 // other kinds: record hash -> held-out rows (val rows, then test rows offset by len(val))
	overlap    *overlapStream     // the replay's overlap: the trial's training stream (replay.go); nil otherwise
}

// newData builds kind's splits for seed: valSize validation and testSize
// test records and a training set of trainSize records (for one_hot, the
// pairs that remain). It fails if one_hot's domain cannot hold the held-out
// sets with at least one pair left for training.
func newData(kind datasetKind, seed uint64, trainSize, valSize, testSize int) (*Data, error) {
	return newDataDrawnAs(kind, kind, seed, trainSize, valSize, testSize)
}

// newDataDrawnAs is newData with kind's records drawn by gen's generator,
// from kind's own streams (the replay's random-pos draws random_pos as
// random, replayGenerator).
func newDataDrawnAs(kind, gen datasetKind, seed uint64, trainSize, valSize, testSize int) (*Data, error) {
	if trainSize < 1 || valSize < 1 || testSize < 1 {
		return nil, fmt.Errorf("dataset sizes must be positive: train %d, validation %d, test %d", trainSize, valSize, testSize)
	}
	d := &Data{
		Kind: kind, gen: gen, seed: seed, TrainSize: trainSize,
		Val:  Split{newTensor(valSize, busWidth), newTensor(valSize, busWidth)},
		Test: Split{newTensor(testSize, busWidth), newTensor(testSize, busWidth)},
	}
	if kind == oneHot {
		if valSize+testSize >= oneHotDomain {
			return nil, fmt.Errorf("one_hot has %d distinct records: validation %d + test %d leave none for training", oneHotDomain, valSize, testSize)
		}
		d.splitOneHot()
		return d, nil
	}
	d.heldOut = make(map[uint64][]int32, valSize+testSize)
	d.fillHeldOut(d.Val, streamVal, 0)
	d.fillHeldOut(d.Test, streamTest, valSize)
	return d, nil
}

// splitOneHot shuffles all W·W pairs with a seeded Fisher-Yates shuffle and
// deals them out: test first, then validation, then training.
func (d *Data) splitOneHot() {
	pairs := make([]uint16, oneHotDomain)
	for i := range pairs {
		pairs[i] = uint16(i)
	}
	r := newRNG(d.seed, hashString("one_hot-split"))
	for i := len(pairs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		pairs[i], pairs[j] = pairs[j], pairs[i]
	}
	nt, nv := d.Test.A.Rows, d.Val.A.Rows
	setOneHotRows(d.Test, pairs[:nt])
	setOneHotRows(d.Val, pairs[nt:nt+nv])
	d.trainPairs = pairs[nt+nv:]
	d.TrainSize = len(d.trainPairs)
}

// setOneHotRows writes pair p = ia·W + ib as row i of s: a[ia] = 1, b[ib] = 1.
func setOneHotRows(s Split, pairs []uint16) {
	for i, p := range pairs {
		a, b := s.A.Row(i), s.B.Row(i)
		clear(a)
		clear(b)
		a[int(p)/busWidth] = 1
		b[int(p)%busWidth] = 1
	}
}

// fillHeldOut fills s with records of stream, skipping any record already
// held out (in s itself or an earlier split); row i is registered in
// heldOut under offset+i.
func (d *Data) fillHeldOut(s Split, stream uint64, offset int) {
	for i, index := 0, uint64(0); i < s.A.Rows; index++ {
		a, b := s.A.Row(i), s.B.Row(i)
		r := newRNG(d.seed, uint64(d.Kind), stream, index)
		drawRecord(d.gen, &r, a, b)
		h := recordHash(a, b)
		if d.findHeldOut(h, a, b) {
			continue
		}
		d.heldOut[h] = append(d.heldOut[h], int32(offset+i))
		i++
	}
}

// heldOutRow returns held-out row j as vectors: validation rows first, then
// test rows.
func (d *Data) heldOutRow(j int) (a, b []float32) {
	if j < d.Val.A.Rows {
		return d.Val.A.Row(j), d.Val.B.Row(j)
	}
	j -= d.Val.A.Rows
	return d.Test.A.Row(j), d.Test.B.Row(j)
}

// findHeldOut reports whether the record (a, b) with hash h is held out.
func (d *Data) findHeldOut(h uint64, a, b []float32) bool {
	if d.overlap != nil {
		panic("findHeldOut: the replay's overlap holds nothing out")
	}
	for _, j := range d.heldOut[h] {
		ha, hb := d.heldOutRow(int(j))
		if equalFloats(ha, a) && equalFloats(hb, b) {
			return true
		}
	}
	return false
}

// equalFloats reports whether x and y hold the same values.
func equalFloats(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// trainRecord writes training record i (0 <= i < TrainSize) into a and b
// and reports whether it may be used, that is, it is not a held-out record.
func (d *Data) trainRecord(i int, a, b []float32) bool {
	if d.Kind == oneHot {
		p := int(d.trainPairs[i])
		clear(a)
		clear(b)
		a[p/busWidth] = 1
		b[p%busWidth] = 1
		return true
	}
	r := newRNG(d.seed, uint64(d.Kind), streamTrain, uint64(i))
	drawRecord(d.gen, &r, a, b)
	return !d.findHeldOut(recordHash(a, b), a, b)
}

// fillTrainBatch fills every row of a and b (N,W) with a training record
// drawn uniformly, with replacement, from the training set, using r to pick
// the records; a held-out record is never returned. Under the replay's
// overlap the trial's stream gives the records instead.
func (d *Data) fillTrainBatch(r *rng, a, b *Tensor) {
	if d.overlap != nil {
		d.overlap.fillBatch(r, a, b)
		return
	}
	for row := 0; row < a.Rows; row++ {
		for !d.trainRecord(r.intn(d.TrainSize), a.Row(row), b.Row(row)) {
		}
	}
}

// ---------------------------------------------------------------------------
// Extrapolation: test sets outside the training range.

// extrapolationSet is a test set drawn outside the range a dataset trains
// on (issue 14, after Madsen & Johansen 2020, who select on in-range data
// and judge on data outside it). A network is still chosen on the
// in-range validation set; these sets only measure the chosen network.
//
//	x2, x4:               random and random_pos, every element uniform on the
//	                      training range scaled by 2 or 4 around 0, the
//	                      training range itself removed: random [-2, 2) minus
//	                      [-1, 1), random_pos [1, 2) (x4: [-4, 4) minus [-1, 1),
//	                      and [1, 4))
//	density25, density75: many_hot with each element 1 with probability
//	                      0.25 or 0.75 instead of 0.5
//
// one_hot has none: its test pairs are already pairs never trained on.
// Every element of an x2 or x4 record lies outside the training range, so
// no such record is a training record; a density record equals a given
// training record with probability 2^-256.
type extrapolationSet struct {
	Name    string  // the results columns' prefix
	Scale   float32 // x2, x4: the factor the training range is scaled by; 0 for a density set
	Density float64 // density25, density75: the probability of a 1, 0.25 or 0.75 (fillBitsDensity makes no other); 0 for a range set
}

// extrapolationSets are the extrapolation sets, in the results file's order.
var extrapolationSets = [...]extrapolationSet{
	{Name: "x2", Scale: 2},
	{Name: "x4", Scale: 4},
	{Name: "density25", Density: 0.25},
	{Name: "density75", Density: 0.75},
}

// appliesTo reports whether the set exists for records drawn as kind.
func (s extrapolationSet) appliesTo(kind datasetKind) bool {
	if s.Scale > 0 {
		return kind == random || kind == randomPos
	}
	return kind == manyHot
}

// newExtrapolationSplit draws size records of set i of extrapolationSets
// for data drawn as gen (random_pos under the replay's random-pos is drawn
// as random and extrapolated as random), from the seed's own stream for
// the set: a pure function of (seed, kind, gen, i). The set must apply to gen.
func newExtrapolationSplit(i int, kind, gen datasetKind, seed uint64, size int) Split {
	set := extrapolationSets[i]
	s := Split{newTensor(size, busWidth), newTensor(size, busWidth)}
	for row := 0; row < size; row++ {
		r := newRNG(seed, uint64(kind), streamExtrapolation, uint64(i), uint64(row))
		for _, v := range [][]float32{s.A.Row(row), s.B.Row(row)} {
			switch {
			case set.Density > 0:
				fillBitsDensity(&r, v, set.Density > 0.5)
			case gen == random:
				fillOutside(&r, v, -1, 1, set.Scale)
			default:
				fillOutside(&r, v, 0, 1, set.Scale)
			}
		}
	}
	return s
}

// fillOutside sets each element of v uniform on [lo·scale, hi·scale) with
// [lo, hi) removed: it draws on the scaled range (a grid of 2^-24 of it,
// exact in float32 for the ranges used here) until the value falls
// outside the training range [lo, hi).
func fillOutside(r *rng, v []float32, lo, hi, scale float32) {
	const grid = 1.0 / (1 << 24)
	for i := range v {
		for {
			x := lo*scale + (hi-lo)*scale*float32(r.next()>>40)*grid
			if x < lo || x >= hi {
				v[i] = x
				break
			}
		}
	}
}

// fillBitsDensity sets each element of v to 1 with probability 0.75 (dense:
// the OR of two random bits) or 0.25 (not dense: their AND), else 0.
func fillBitsDensity(r *rng, v []float32, dense bool) {
	var x, y uint64
	for i := range v {
		if i%64 == 0 {
			x, y = r.next(), r.next()
		}
		bit := x & y
		if dense {
			bit = x | y
		}
		v[i] = float32(bit & 1)
		x, y = x>>1, y>>1
	}
}
