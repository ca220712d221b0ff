// report_baselines.go: the trivial baselines, what a network that learns
// nothing scores. It regenerates each test set the results were measured on
// (the data generators are deterministic) and measures two constant
// predictors on it with the study's metric, and how many label elements
// each bounded activation cannot reach. It knows nothing about networks or
// training, nor about how the report is drawn.
package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// baselineTrainRecords is how many usable training records the mean
// predictor of a generated dataset averages (one_hot averages all its
// training pairs): enough to pin each mean to about ±0.01, far inside the
// metric's tolerance of 0.158.
const baselineTrainRecords = 10000

// boundedActivations are the activations whose range is not the whole real
// line, with that range [Lo, Hi]. selu's lower bound is -λα, with λ and α
// the constants the activation uses (tensor.go), multiplied in float64.
var boundedActivations = [...]struct {
	Name   string
	Lo, Hi float64
}{
	{"sigmoid", 0, 1},
	{"tanh", -1, 1},
	{"relu", 0, math.Inf(1)},
	{"selu", -(float64(seluScale) * float64(seluAlpha)), math.Inf(1)},
}

// boundedRanges lists boundedActivations' ranges for the report's text, as
// "sigmoid [0, 1], ... or selu [-1.7581, inf)".
func boundedRanges() string {
	var parts []string
	for _, act := range boundedActivations {
		hi := "inf)"
		if !math.IsInf(act.Hi, 1) {
			hi = strconv.FormatFloat(act.Hi, 'g', 5, 64) + "]"
		}
		parts = append(parts, fmt.Sprintf("%s [%s, %s", act.Name, strconv.FormatFloat(act.Lo, 'g', 5, 64), hi))
	}
	last := len(parts) - 1
	return strings.Join(parts[:last], ", ") + " or " + parts[last]
}

// splitKey names the splits of one seed and sizes; with a dataset it
// determines a test set.
type splitKey struct {
	Seed             uint64
	Train, Val, Test int
}

// splitKeyOf returns the split key of seed's splits under protocol p.
func splitKeyOf(seed uint64, p Protocol) splitKey {
	return splitKey{Seed: seed, Train: p.TrainSize, Val: p.ValSize, Test: p.TestSize}
}

// less orders split keys by seed, then sizes.
func (k splitKey) less(o splitKey) bool {
	if k.Seed != o.Seed {
		return k.Seed < o.Seed
	}
	if k.Train != o.Train {
		return k.Train < o.Train
	}
	if k.Val != o.Val {
		return k.Val < o.Val
	}
	return k.Test < o.Test
}

// baselineKey names one test set and task: a (task, dataset) pair's, under
// a split key.
type baselineKey struct {
	Task, Dataset string
	Split         splitKey
}

// baseline is what needs no training on one test set: the test accuracy of
// two trivial predictors and, for claim 6, the fraction of label elements
// each bounded activation cannot reach.
type baseline struct {
	Zeros   float64                          // accuracy of predicting 0 everywhere
	Mean    float64                          // accuracy of predicting the training labels' mean, element by element
	Outside [len(boundedActivations)]float64 // per boundedActivations: fraction of label elements outside its range widened by 0.5/√10
}

// best is the higher of the two predictors' accuracies.
func (b baseline) best() float64 { return max(b.Zeros, b.Mean) }

// computeBaselines computes the baseline of every analysed (task, dataset)
// pair on the test set of each split key. Test sets that cannot be
// generated (sizes one_hot cannot hold; their runs failed too) have none,
// and problems says why.
func computeBaselines(splits []splitKey) (out map[baselineKey]baseline, problems []string) {
	out = map[baselineKey]baseline{}
	for _, sp := range splits {
		for k, name := range datasetNames {
			var ts []Task
			for _, t := range tasks {
				if exclusionReason(t.Name, name) == "" {
					ts = append(ts, t)
				}
			}
			data, err := newData(datasetKind(k), sp.Seed, sp.Train, sp.Val, sp.Test)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s, seed %d: %v", name, sp.Seed, err))
				continue
			}
			means := trainingMeans(data, ts)
			for i, t := range ts {
				out[baselineKey{t.Name, name, sp}] = testBaseline(data.Test, t, means[i])
			}
		}
	}
	return out, problems
}

// trainingMeans returns, for each task, its mean label (O) over the
// training records: all training pairs for one_hot, the first
// baselineTrainRecords usable records (held-out ones skipped) otherwise.
func trainingMeans(d *Data, ts []Task) [][]float64 {
	sums := make([][]float64, len(ts))
	labels := make([][]float32, len(ts))
	for i, t := range ts {
		sums[i], labels[i] = make([]float64, t.Width), make([]float32, t.Width)
	}
	a, b := make([]float32, busWidth), make([]float32, busWidth)
	n := 0
	for i := 0; i < d.TrainSize && (d.Kind == oneHot || n < baselineTrainRecords); i++ {
		if !d.trainRecord(i, a, b) {
			continue
		}
		n++
		for j, t := range ts {
			t.label(a, b, labels[j])
			for e, v := range labels[j] {
				sums[j][e] += float64(v)
			}
		}
	}
	for _, s := range sums {
		for e := range s {
			s[e] /= float64(max(n, 1))
		}
	}
	return sums
}

// testBaseline measures the all-zeros predictor and the constant predictor
// mean (O) on task t's labels of the test split, and counts the label
// elements outside each bounded activation's reach.
func testBaseline(test Split, t Task, mean []float64) baseline {
	labels := newTensor(test.A.Rows, t.Width)
	t.labelBatch(labels, test.A, test.B)
	m := make([]float32, len(mean))
	for i, v := range mean {
		m[i] = float32(v)
	}
	var zeros, means int
	var outside [len(boundedActivations)]int
	for i := 0; i < labels.Rows; i++ {
		for j, l := range labels.Row(i) {
			if elementCorrect(0, l) {
				zeros++
			}
			if elementCorrect(m[j], l) {
				means++
			}
			for a, act := range boundedActivations {
				// Outside when no output in [Lo, Hi] is within
				// elementCorrect's tolerance 0.5/√10 of the label.
				if gap := max(act.Lo-float64(l), float64(l)-act.Hi, 0); gap*sqrt10 > 0.5 {
					outside[a]++
				}
			}
		}
	}
	total := float64(len(labels.Data))
	b := baseline{Zeros: float64(zeros) / total, Mean: float64(means) / total}
	for a := range outside {
		b.Outside[a] = float64(outside[a]) / total
	}
	return b
}

// rowBaseline returns the baseline of the test set a run was measured on.
func (s *study) rowBaseline(r Row) (baseline, bool) {
	b, ok := s.baselines[baselineKey{r.Task, r.Dataset, splitKeyOf(r.Seed, s.protocolOf[r.Protocol])}]
	return b, ok
}

// trivialRun reports whether a trivial predictor already reaches the target
// on the run's test set.
func (s *study) trivialRun(r Row) bool {
	b, ok := s.rowBaseline(r)
	return ok && b.best() >= s.target
}

// outsideRange returns the fraction of the run's test label elements that
// the named activation cannot reach (0 for an unbounded activation).
func (s *study) outsideRange(r Row, activation string) float64 {
	b, ok := s.rowBaseline(r)
	for a, act := range boundedActivations {
		if ok && act.Name == activation {
			return b.Outside[a]
		}
	}
	return 0
}

// pairBaseline is a (task, dataset) pair's baselines over every split key
// of the study: the mean accuracies of the two predictors, and on how many
// of the test sets the better one reaches the target.
type pairBaseline struct {
	Zeros, Mean float64
	Passable    tally
}

// pairBaseline aggregates the pair's baselines over s.splits.
func (s *study) pairBaseline(task, dataset string) pairBaseline {
	var pb pairBaseline
	for _, sp := range s.splits {
		b, ok := s.baselines[baselineKey{task, dataset, sp}]
		if !ok {
			continue
		}
		pb.Zeros += b.Zeros
		pb.Mean += b.Mean
		pb.Passable.add(b.best() >= s.target)
	}
	if pb.Passable.n > 0 {
		pb.Zeros /= float64(pb.Passable.n)
		pb.Mean /= float64(pb.Passable.n)
	}
	return pb
}

// trivialPair reports whether a trivial predictor reaches the target on
// every test set of the pair.
func (s *study) trivialPair(task, dataset string) bool {
	pb := s.pairBaseline(task, dataset)
	return pb.Passable.n > 0 && pb.Passable.k == pb.Passable.n
}

// lift is a network's record on the informative runs, those whose test set
// no trivial predictor passes: its successes there, and the sum of its
// accuracy minus the better baseline's.
type lift struct {
	name    string
	success tally
	sum     float64
}

// mean is the network's mean lift over its informative runs.
func (l lift) mean() float64 { return l.sum / float64(max(l.success.n, 1)) }

// networkLifts returns the lift of each network with analysed runs, best
// first: by success rate, then mean lift, then name.
func networkLifts(s *study) []lift {
	var lifts []lift
	for _, n := range networkStats(s.analysed, s.target) {
		l := lift{name: n.Name}
		for _, r := range s.analysed {
			base, ok := s.rowBaseline(r)
			if r.Network != n.Name || !ok || base.best() >= s.target {
				continue
			}
			l.success.add(r.succeeded(s.target))
			l.sum += r.testAccuracy() - base.best()
		}
		lifts = append(lifts, l)
	}
	sort.SliceStable(lifts, func(i, j int) bool {
		a, b := lifts[i], lifts[j]
		return ranksAbove(a.success, b.success, a.mean(), b.mean(), a.name, b.name)
	})
	return lifts
}
