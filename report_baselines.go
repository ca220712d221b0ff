// report_baselines.go: the trivial baselines, what a network that learns
// nothing scores. It regenerates each test set the results were measured on
// (the data generators are deterministic) and measures three constant
// predictors on it with the study's metric (all zeros, the training mean,
// and the best constant for the metric), and how many label elements
// each bounded activation cannot reach. It knows nothing about networks or
// training, nor about how the report is drawn.
package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// baselineTrainRecords is how many usable training records the mean and
// best-constant predictors of a generated dataset are fitted on (one_hot
// uses all its training pairs): enough to pin each mean to about ±0.01, far
// inside the metric's tolerance of 0.158, and each best constant's share of
// labels within tolerance to about ±0.005.
const baselineTrainRecords = 10000

// tolerance is the metric's half-width: elementCorrect(p, l) holds when
// |p - l| <= tolerance.
const tolerance = 0.5 / sqrt10

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

// splitKey names the splits of one seed and sizes, and the replay's
// switches that change what is generated or labelled; with a dataset it
// determines a test set.
type splitKey struct {
	Seed             uint64
	Train, Val, Test int
	Replay           Replay // of p.Replay, only replayDataSwitches; none in the fixed protocol
}

// replayDataSwitches are the replay's switches that change a test set's
// records or labels, so its baselines: random-pos (random_pos drawn as
// random, replayGenerator) and one-hot-sum-128 (one_hot_sum 128 wide,
// replayTask). The others change how a network is trained, chosen or
// evaluated, not the data: overlap draws each trial's records afresh and
// lets them repeat, but from the same distributions, so the baselines of
// the fixed protocol's test set of the same seed stand for them.
const replayDataSwitches = Replay(1<<replayRandomPos | 1<<replayOneHotSum128)

// splitKeyOf returns the split key of seed's splits under protocol p.
func splitKeyOf(seed uint64, p Protocol) splitKey {
	return splitKey{Seed: seed, Train: p.TrainSize, Val: p.ValSize, Test: p.TestSize, Replay: p.Replay & replayDataSwitches}
}

// less orders split keys by seed, then sizes, then replay switches.
func (k splitKey) less(o splitKey) bool {
	return cmp.Or(cmp.Compare(k.Seed, o.Seed), cmp.Compare(k.Train, o.Train), cmp.Compare(k.Val, o.Val),
		cmp.Compare(k.Test, o.Test), cmp.Compare(k.Replay, o.Replay)) < 0
}

// baselineKey names one test set and task: a (task, dataset) pair's, under
// a split key.
type baselineKey struct {
	Task, Dataset string
	Split         splitKey
}

// baseline is what needs no training on one test set: the test accuracy of
// three trivial predictors and, for claim 6, the fraction of label elements
// each bounded activation cannot reach.
type baseline struct {
	Zeros     float64                          // accuracy of predicting 0 everywhere
	Mean      float64                          // accuracy of predicting the training labels' mean, element by element
	BestConst float64                          // accuracy of the constant per element that is right most often on the training labels
	Outside   [len(boundedActivations)]float64 // per boundedActivations: fraction of label elements outside its range widened by 0.5/√10
}

// best is the highest of the trivial predictors' accuracies.
func (b baseline) best() float64 { return max(b.Zeros, b.Mean, b.BestConst) }

// computeBaselines computes the baseline of the (task, dataset) pairs in
// pairs (the analysed pairs the rows ran) on the test set of each split
// key, generated and labelled as the rows' protocol had it, the replay's
// included (replayGenerator, replayTask). Test sets that cannot be
// generated (sizes one_hot cannot hold; their runs failed too) have none,
// and problems says why.
func computeBaselines(splits []splitKey, pairs map[[2]string]bool) (out map[baselineKey]baseline, problems []string) {
	out = map[baselineKey]baseline{}
	for _, sp := range splits {
		for k, name := range datasetNames {
			var ts []Task
			for _, t := range tasks {
				if exclusionReason(t.Name, name) == "" && pairs[[2]string{t.Name, name}] {
					ts = append(ts, replayTask(t, sp.Replay))
				}
			}
			if len(ts) == 0 {
				continue
			}
			kind := datasetKind(k)
			data, err := newDataDrawnAs(kind, replayGenerator(kind, sp.Replay), sp.Seed, sp.Train, sp.Val, sp.Test)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s, seed %d: %v", name, sp.Seed, err))
				continue
			}
			means, consts := trainingConstants(data, ts)
			for i, t := range ts {
				out[baselineKey{t.Name, name, sp}] = testBaseline(data.Test, t, means[i], consts[i])
			}
		}
	}
	return out, problems
}

// trainingConstants returns, for each task, two constant predictions (O)
// fitted on the training records (all training pairs for one_hot, the first
// baselineTrainRecords usable records otherwise): the mean label of each
// output element, and the best constant of each element (bestConstant).
func trainingConstants(d *Data, ts []Task) (means, consts [][]float64) {
	// values[j][e] holds task j's labels of output element e, one per record.
	values := make([][][]float32, len(ts))
	label := make([][]float32, len(ts))
	for j, t := range ts {
		values[j], label[j] = make([][]float32, t.Width), make([]float32, t.Width)
	}
	a, b := make([]float32, busWidth), make([]float32, busWidth)
	n := 0
	for i := 0; i < d.TrainSize && (d.Kind == oneHot || n < baselineTrainRecords); i++ {
		if !d.trainRecord(i, a, b) {
			continue
		}
		n++
		for j, t := range ts {
			t.label(a, b, label[j])
			for e, v := range label[j] {
				values[j][e] = append(values[j][e], v)
			}
		}
	}
	means, consts = make([][]float64, len(ts)), make([][]float64, len(ts))
	for j := range ts {
		means[j], consts[j] = make([]float64, len(values[j])), make([]float64, len(values[j]))
		for e, vs := range values[j] {
			var sum float64
			for _, v := range vs {
				sum += float64(v)
			}
			means[j][e] = sum / float64(max(len(vs), 1))
			consts[j][e] = bestConstant(vs)
		}
	}
	return means, consts
}

// bestConstant returns the constant c that the most of labels lie within
// the metric's tolerance of: after sorting, the widest-populated window
// [v_i, v_k] with v_k - v_i <= 2·tolerance, and c its midpoint, so every
// label in the window is within tolerance of c (the first such window on a
// tie; 0 for no labels). It sorts labels in place.
func bestConstant(labels []float32) float64 {
	if len(labels) == 0 {
		return 0
	}
	slices.Sort(labels)
	bestI, bestK := 0, 0
	k := 0
	for i := range labels {
		for k+1 < len(labels) && float64(labels[k+1])-float64(labels[i]) <= 2*tolerance {
			k++
		}
		if k-i > bestK-bestI {
			bestI, bestK = i, k
		}
	}
	return (float64(labels[bestI]) + float64(labels[bestK])) / 2
}

// testBaseline measures the all-zeros predictor and the constant
// predictors mean and best (O) on task t's labels of the test split, and
// counts the label elements outside each bounded activation's reach.
func testBaseline(test Split, t Task, mean, best []float64) baseline {
	labels := newTensor(test.A.Rows, t.Width)
	t.labelBatch(labels, test.A, test.B)
	m, c := make([]float32, len(mean)), make([]float32, len(best))
	for i := range mean {
		m[i], c[i] = float32(mean[i]), float32(best[i])
	}
	var zeros, means, consts int
	var outside [len(boundedActivations)]int
	for i := 0; i < labels.Rows; i++ {
		for j, l := range labels.Row(i) {
			if elementCorrect(0, l) {
				zeros++
			}
			if elementCorrect(m[j], l) {
				means++
			}
			if elementCorrect(c[j], l) {
				consts++
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
	b := baseline{Zeros: float64(zeros) / total, Mean: float64(means) / total, BestConst: float64(consts) / total}
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
	Zeros, Mean, BestConst float64
	Best                   float64 // mean of the best trivial predictor's accuracy per test set
	Passable               tally
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
		pb.BestConst += b.BestConst
		pb.Best += b.best()
		pb.Passable.add(b.best() >= s.target)
	}
	if n := float64(pb.Passable.n); n > 0 {
		pb.Zeros, pb.Mean, pb.BestConst, pb.Best = pb.Zeros/n, pb.Mean/n, pb.BestConst/n, pb.Best/n
	}
	return pb
}

// trivialPair reports whether a trivial predictor reaches the target on
// every test set of the pair.
func (s *study) trivialPair(task, dataset string) bool {
	pb := s.pairBaseline(task, dataset)
	return pb.Passable.n > 0 && pb.Passable.k == pb.Passable.n
}

// gapClosed returns the share of the gap between the best trivial
// predictor's test accuracy and a perfect score that the run closed,
// max(0, accuracy - best) / (1 - best), in [0, 1]: a lift over the best
// constant that can be compared across tasks with different chance levels.
// A run at or below the best constant closed none of the gap: unclipped,
// the ratio would rate failing below a high baseline worse than failing
// below a low one (accuracy 0 gives -3 at a baseline of 0.75, -1 at 0.5).
// ok is false without a baseline, or when the best trivial predictor is
// already perfect.
func (s *study) gapClosed(r Row) (float64, bool) {
	b, ok := s.rowBaseline(r)
	if !ok || b.best() >= 1 {
		return 0, false
	}
	return gapShare(r.testAccuracy(), b.best()), true
}

// gapShare is max(0, acc - best) / (1 - best) for best < 1 (gapClosed).
func gapShare(acc, best float64) float64 { return max(0, acc-best) / (1 - best) }
