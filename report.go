// report.go: the study's report, made from the results file alone.
//
// writeReport reads DIR/results.csv (and DIR/runs.jsonl, the log of the
// study's invocations, when there is one) and writes DIR/report.md with the
// SVG charts it embeds: a summary per network (summary.svg), a task x
// network heat map per dataset (heatmap-DATASET.svg), the trivial
// baselines, a verdict on each of the article's eight claims under rules
// fixed before any result was seen, the spread over seeds, and how this run
// differs from the original. Apart from those two files it reads only the
// deterministic data generators (the baselines regenerate each test set
// from its seed and sizes), so one results file always gives one report.
//
// Words used throughout: a run is one row (one (task, dataset, network)
// cell and one seed). A run succeeds when it has no error and its test
// accuracy is at least the protocol's target (0.99). A row with an error
// counts as a failed run with accuracy 0. Only runs of the 33 analysed
// (task, dataset) pairs count; rows of excluded pairs (run with -all) are
// counted and otherwise left out.
package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Files the report reads and writes in its folder.
const (
	reportName     = "report.md"
	summarySVGName = "summary.svg"
)

// heatmapName returns the file name of dataset's heat map.
func heatmapName(dataset string) string { return "heatmap-" + dataset + ".svg" }

// writeReport reads DIR/results.csv (and DIR/runs.jsonl if present) and
// writes DIR/report.md and the SVG files it embeds into DIR. It returns the
// path of report.md. Its errors are one line each.
func writeReport(dir string) (string, error) {
	s, err := loadStudy(dir)
	if err != nil {
		return "", err
	}
	type file struct{ name, text string }
	files := []file{{summarySVGName, summarySVG(rankNetworks(networkStats(s.analysed, s.target)), s.target)}}
	for _, d := range datasetNames {
		files = append(files, file{heatmapName(d), heatmapSVG(s, d)})
	}
	files = append(files, file{reportName, reportMarkdown(s)})
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.text), 0o644); err != nil {
			return "", fmt.Errorf("cannot write the report: %v", err)
		}
	}
	return filepath.Join(dir, reportName), nil
}

// ---------------------------------------------------------------------------
// The results, parsed and checked.

// study is a results file read for the report, with the baselines of its
// test sets.
type study struct {
	dir, path  string                 // the folder, and its results file as messages name it
	rows       []Row                  // every row of the file, in file order, repeats dropped
	analysed   []Row                  // the rows of analysed (not excluded) pairs
	excluded   int                    // rows of excluded pairs (run with -all)
	torn       int                    // bytes of a torn last line, ignored
	duplicates int                    // rows repeating an experiment already in the file, ignored
	target     float64                // success: accuracy >= target, from the protocol column
	seeds      []uint64               // the seeds of the rows, ascending
	planned    []uint64               // the seeds of the rows and of the protocols' seed ranges, ascending
	protocols  []string               // distinct protocol strings, in order of first appearance
	protocolOf map[string]rowProtocol // protocol string -> its parsed sizes and target
	splits     []splitKey             // the test sets the analysed rows were measured on
	baselines  map[baselineKey]baseline
	noBaseline []string     // test sets whose data could not be generated, and why
	runLog     []Invocation // DIR/runs.jsonl, oldest first; nil without one
}

// loadStudy reads and checks dir's results file and computes the baselines
// of every test set its analysed rows used.
func loadStudy(dir string) (*study, error) {
	path := filepath.Join(dir, resultsName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	rows, torn, err := readResults(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	s := &study{dir: dir, path: path, torn: torn, protocolOf: map[string]rowProtocol{}, runLog: readInvocations(dir)}
	seen := map[string]bool{}
	seeds, planned := map[uint64]bool{}, map[uint64]bool{}
	splits := map[splitKey]bool{}
	targets := map[float64]bool{}
	for _, r := range rows {
		if seen[r.Key()] {
			s.duplicates++
			continue
		}
		seen[r.Key()] = true
		p, ok := s.protocolOf[r.Protocol]
		if !ok {
			if p, err = parseRowProtocol(r.Protocol); err != nil {
				return nil, fmt.Errorf("%s: experiment %s: %v", path, r.Key(), err)
			}
			s.protocolOf[r.Protocol] = p
			s.protocols = append(s.protocols, r.Protocol)
			targets[p.Target] = true
			for i := 0; i < p.Seeds; i++ {
				planned[p.FirstSeed+uint64(i)] = true
			}
		}
		s.rows = append(s.rows, r)
		seeds[r.Seed], planned[r.Seed] = true, true
		if exclusionReason(r.Task, r.Dataset) != "" {
			s.excluded++
			continue
		}
		s.analysed = append(s.analysed, r)
		splits[splitKey{r.Seed, p.Train, p.Val, p.Test}] = true
	}
	if len(targets) > 1 {
		var ts []string
		for t := range targets {
			ts = append(ts, formatFloat(t))
		}
		sort.Strings(ts)
		return nil, fmt.Errorf("%s: rows use different success targets (%s); the report needs one", path, strings.Join(ts, ", "))
	}
	s.target = s.protocolOf[s.protocols[0]].Target
	for seed := range seeds {
		s.seeds = append(s.seeds, seed)
	}
	slices.Sort(s.seeds)
	for seed := range planned {
		s.planned = append(s.planned, seed)
	}
	slices.Sort(s.planned)
	for k := range splits {
		s.splits = append(s.splits, k)
	}
	sort.Slice(s.splits, func(i, j int) bool { return s.splits[i].less(s.splits[j]) })
	s.baselines, s.noBaseline = computeBaselines(s.splits)
	return s, nil
}

// rowProtocol is what the report needs from a row's protocol column: the
// split sizes the baselines regenerate, the success target, and the seeds
// the run was asked for (none if the string has no seeds= setting).
type rowProtocol struct {
	Train, Val, Test int
	Target           float64
	FirstSeed        uint64
	Seeds            int
}

// parseRowProtocol reads the train=, val=, test= and target= settings of a
// protocol string (Protocol.String), and seeds=FIRST..LAST if present. It
// is more lenient than parseProtocol: it ignores the other settings and
// the version, so that a report can be made of any results file.
func parseRowProtocol(s string) (rowProtocol, error) {
	var p rowProtocol
	found := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "train", "val", "test":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return p, fmt.Errorf("protocol %q: %s=%q is not a positive count", truncate(s, 80), k, v)
			}
			switch k {
			case "train":
				p.Train = n
			case "val":
				p.Val = n
			default:
				p.Test = n
			}
		case "target":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || !(x > 0 && x <= 1) {
				return p, fmt.Errorf("protocol %q: target=%q is not a fraction in (0, 1]", truncate(s, 80), v)
			}
			p.Target = x
		case "seeds":
			var last uint64
			if _, err := fmt.Sscanf(v, "%d..%d", &p.FirstSeed, &last); err != nil || last < p.FirstSeed || last-p.FirstSeed >= 1<<20 {
				return p, fmt.Errorf("protocol %q: seeds=%q is not a range FIRST..LAST", truncate(s, 80), v)
			}
			p.Seeds = int(last-p.FirstSeed) + 1
			continue
		default:
			continue
		}
		found[k] = true
	}
	if len(found) != 4 {
		return p, fmt.Errorf("protocol %q lacks one of train=, val=, test=, target=", truncate(s, 80))
	}
	return p, nil
}

// isAnalysed reports whether the run's (task, dataset) pair is in the analysis.
func isAnalysed(r Row) bool { return exclusionReason(r.Task, r.Dataset) == "" }

// succeeded reports whether a run reached the target: no error and test
// accuracy >= target.
func succeeded(r Row, target float64) bool { return runAccuracy(r) >= target }

// runAccuracy is a run's test accuracy, 0 for a run that ended in an error
// (or, in a hand-edited file, whose accuracy is NaN).
func runAccuracy(r Row) float64 {
	if r.Error != "" || math.IsNaN(r.Accuracy) {
		return 0
	}
	return r.Accuracy
}

// specOf returns the spec of the run's network (the zero spec for a name
// that parseRow would have refused).
func specOf(r Row) NetworkSpec {
	spec, _ := lookupNetwork(r.Network)
	return spec
}

// ---------------------------------------------------------------------------
// Counting.

// tally is k successes out of n runs. Its comparisons with a fraction p/q
// are exact, in integers, so that a rate exactly at a threshold reaches it.
type tally struct{ k, n int }

// add counts one run.
func (t *tally) add(ok bool) {
	t.n++
	if ok {
		t.k++
	}
}

// rate is k/n, 0 when n is 0.
func (t tally) rate() float64 {
	if t.n == 0 {
		return 0
	}
	return float64(t.k) / float64(t.n)
}

// atLeast reports whether k/n >= p/q.
func (t tally) atLeast(p, q int) bool { return t.k*q >= p*t.n }

// atMost reports whether k/n <= p/q.
func (t tally) atMost(p, q int) bool { return t.k*q <= p*t.n }

// beats reports whether t's rate is strictly higher than u's (both n > 0).
func (t tally) beats(u tally) bool { return t.k*u.n > u.k*t.n }

// String prints "k of n (rate%)".
func (t tally) String() string {
	if t.n == 0 {
		return "0 of 0"
	}
	return fmt.Sprintf("%d of %d (%s)", t.k, t.n, pct(t.rate()))
}

// networkStat is one network's runs over a set of rows.
type networkStat struct {
	Name    string
	Success tally
	AccSum  float64 // sum of runAccuracy over the runs
}

// meanAccuracy is the mean test accuracy of the network's runs.
func (n networkStat) meanAccuracy() float64 {
	if n.Success.n == 0 {
		return 0
	}
	return n.AccSum / float64(n.Success.n)
}

// networkStats counts each network's analysed runs among rows, for the
// networks that have some, in networkSpecs order.
func networkStats(rows []Row, target float64) []networkStat {
	byName := map[string]*networkStat{}
	for _, r := range rows {
		if !isAnalysed(r) {
			continue
		}
		st := byName[r.Network]
		if st == nil {
			st = &networkStat{Name: r.Network}
			byName[r.Network] = st
		}
		st.Success.add(succeeded(r, target))
		st.AccSum += runAccuracy(r)
	}
	var out []networkStat
	for _, spec := range networkSpecs() {
		if st := byName[spec.Name]; st != nil {
			out = append(out, *st)
		}
	}
	return out
}

// rankNetworks sorts a copy of stats best first: by success rate, then mean
// accuracy, then name.
func rankNetworks(stats []networkStat) []networkStat {
	out := slices.Clone(stats)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Success.beats(b.Success):
			return true
		case b.Success.beats(a.Success):
			return false
		case a.meanAccuracy() != b.meanAccuracy():
			return a.meanAccuracy() > b.meanAccuracy()
		}
		return a.Name < b.Name
	})
	return out
}

// cellID is one cell of the grid.
type cellID struct{ Task, Dataset, Network string }

// cellStat is a cell's runs, one per seed.
type cellStat struct {
	Success tally
	AccSum  float64
	Errors  int
}

// cellStats gathers the analysed runs of rows by cell.
func cellStats(rows []Row, target float64) map[cellID]*cellStat {
	out := map[cellID]*cellStat{}
	for _, r := range rows {
		if !isAnalysed(r) {
			continue
		}
		id := cellID{r.Task, r.Dataset, r.Network}
		c := out[id]
		if c == nil {
			c = &cellStat{}
			out[id] = c
		}
		c.Success.add(succeeded(r, target))
		c.AccSum += runAccuracy(r)
		if r.Error != "" {
			c.Errors++
		}
	}
	return out
}

// wilson returns the Wilson score interval at 95% confidence for successes
// out of n trials (E. B. Wilson, JASA 22, 1927):
//
//	centre = (p + z²/2n) / (1 + z²/n)
//	half   = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)
//
// with p = successes/n and z = 1.959963984540054, the 97.5% point of the
// normal distribution. n = 0 gives (0, 1).
func wilson(successes, n int) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	nf := float64(n)
	p := float64(successes) / nf
	d := 1 + z*z/nf
	centre := (p + z*z/(2*nf)) / d
	half := z / d * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(0, centre-half), min(1, centre+half)
}

// ---------------------------------------------------------------------------
// Trivial baselines: what a network that learns nothing scores.

// baselineTrainRecords is how many usable training records the mean
// predictor of a generated dataset averages (one_hot averages all its
// training pairs): enough to pin each mean to about ±0.01, far inside the
// metric's tolerance of 0.158.
const baselineTrainRecords = 10000

// boundedActivations are the activations whose range is not the whole real
// line, with that range [Lo, Hi]. selu's lower bound is -λα.
var boundedActivations = [...]struct {
	Name   string
	Lo, Hi float64
}{
	{"sigmoid", 0, 1},
	{"tanh", -1, 1},
	{"relu", 0, math.Inf(1)},
	{"selu", -1.7580993408473766, math.Inf(1)},
}

// splitKey names the splits of one seed and sizes; with a dataset it
// determines a test set.
type splitKey struct {
	Seed             uint64
	Train, Val, Test int
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
	p := s.protocolOf[r.Protocol]
	b, ok := s.baselines[baselineKey{r.Task, r.Dataset, splitKey{r.Seed, p.Train, p.Val, p.Test}}]
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

// ---------------------------------------------------------------------------
// The article's claims, each judged by a rule fixed before any result was
// seen. Each rule is a pure function of the rows.

// Verdicts.
const (
	verdictConfirmed    = "confirmed"
	verdictPartly       = "partly"
	verdictNotConfirmed = "not confirmed"
	verdictNoData       = "no data"
)

// claimResult is a claim's verdict under its rule, with the numbers behind it.
type claimResult struct {
	Verdict string
	Numbers string
}

// claimTexts are the article's eight claims (PROTOCOL.md) and their rules,
// in the words the report prints.
var claimTexts = [8]struct{ Claim, Rule string }{
	{"The multiply network has the best overall success.",
		"s(n) = success rate of network n over all its runs. Confirmed if s(multiply) is strictly greater than every other network's; " +
			"partly if multiply is tied for the highest or within the top 3 (rank = 1 + the number of networks with a strictly higher rate); " +
			"not confirmed otherwise. No data unless multiply and at least one other network have runs."},
	{"Multiply reaches close to 100% on almost every task and dataset, except dot and reduce_sum.",
		"A = success rate of multiply on runs whose task is neither dot nor reduce_sum; B = its success rate on dot and reduce_sum runs. " +
			"Confirmed if A >= 0.9 and B <= 0.5; not confirmed if A < 0.6; partly otherwise. No data unless both groups have runs."},
	{"Multiply simple reaches 100% on dot.",
		"S = success rate of multiply_simple on dot runs (all datasets). Confirmed if S = 1; partly if S >= 0.5; not confirmed if S < 0.5."},
	{"Neither multiply variant does well on reduce_sum (datasets other than one_hot).",
		"F = success rate of multiply and multiply_simple together on reduce_sum runs with dataset many_hot, random or random_pos. " +
			"Confirmed if F = 0; partly if F <= 0.5; not confirmed if F > 0.5."},
	{"Most networks reach > 99% on most tasks with one_hot inputs.",
		"For each network with one_hot runs, its success rate over them; the network \"does\" if that rate is > 0.5. " +
			"P = fraction of those networks that do. Confirmed if P > 0.5; partly if 0.25 <= P <= 0.5; not confirmed if P < 0.25. " +
			"The count of one_hot successes in trivially passable cells (section 3) is a caveat and does not change the verdict."},
	{"An activation whose range excludes the label domain fails (e.g. sigmoid on reduce_sum).",
		"Plain dense networks with activation sigmoid [0, 1], tanh [-1, 1], relu [0, inf) or selu [-1.7581, inf) (applied on the output layer too). " +
			"A run is a mismatch run when more than 1% of its test label elements lie outside that range widened by the metric's tolerance 0.5/sqrt(10) on each side. " +
			"M = fraction of mismatch runs that fail. Confirmed if M >= 0.95; partly if M >= 0.75; not confirmed otherwise; no data without mismatch runs. " +
			"Such a run cannot reach 99% by construction, so this claim is mostly a check of the implementation."},
	{"Residual networks do worse than plain dense networks.",
		"For depths 2 and 3 and the 5 activations, pair the runs of dense-D-ACT and dense_residual-D-ACT on the same (task, dataset, seed). " +
			"r = residual success rate, d = plain success rate, over the paired runs. Confirmed if d - r >= 0.05; not confirmed if d - r <= 0; partly otherwise."},
	{"XOR is the hardest logical task, on many_hot for every network.",
		"For each network with many_hot runs of all three of logical_and, logical_or and logical_xor: XOR is hardest when its mean accuracy (over seeds) " +
			"is strictly lower than both AND's and OR's. H = fraction of those networks where XOR is hardest. Confirmed if H = 1; partly if H >= 0.5; not confirmed if H < 0.5."},
}

// claimMultiplyBest judges claim 1 on rows.
func claimMultiplyBest(rows []Row, target float64) claimResult {
	stats := networkStats(rows, target)
	var m *networkStat
	for i := range stats {
		if stats[i].Name == "multiply" {
			m = &stats[i]
		}
	}
	if m == nil || len(stats) < 2 {
		return claimResult{verdictNoData, "Needs runs of multiply and of at least one other network."}
	}
	higher, tied := 0, 0
	var best *networkStat
	for i := range stats {
		o := &stats[i]
		if o == m {
			continue
		}
		switch {
		case o.Success.beats(m.Success):
			higher++
		case !m.Success.beats(o.Success):
			tied++
		}
		if best == nil || o.Success.beats(best.Success) {
			best = o
		}
	}
	rank := higher + 1
	nums := fmt.Sprintf("s(multiply) = %s, rank %d of %d networks (%d tied with it); the best other network is %s with %s.",
		m.Success, rank, len(stats), tied, best.Name, best.Success)
	switch {
	case higher == 0 && tied == 0:
		return claimResult{verdictConfirmed, nums}
	case rank <= 3:
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// claimMultiplyAlmostEverywhere judges claim 2 on rows.
func claimMultiplyAlmostEverywhere(rows []Row, target float64) claimResult {
	var a, b tally
	for _, r := range rows {
		if !isAnalysed(r) || r.Network != "multiply" {
			continue
		}
		if r.Task == "dot" || r.Task == "reduce_sum" {
			b.add(succeeded(r, target))
		} else {
			a.add(succeeded(r, target))
		}
	}
	nums := fmt.Sprintf("A = %s; B = %s.", a, b)
	switch {
	case a.n == 0 || b.n == 0:
		return claimResult{verdictNoData, nums}
	case a.atLeast(9, 10) && b.atMost(1, 2):
		return claimResult{verdictConfirmed, nums}
	case !a.atLeast(3, 5):
		return claimResult{verdictNotConfirmed, nums}
	}
	return claimResult{verdictPartly, nums}
}

// claimSimpleDot judges claim 3 on rows.
func claimSimpleDot(rows []Row, target float64) claimResult {
	var s tally
	for _, r := range rows {
		if isAnalysed(r) && r.Network == "multiply_simple" && r.Task == "dot" {
			s.add(succeeded(r, target))
		}
	}
	nums := fmt.Sprintf("S = %s.", s)
	switch {
	case s.n == 0:
		return claimResult{verdictNoData, nums}
	case s.k == s.n:
		return claimResult{verdictConfirmed, nums}
	case s.atLeast(1, 2):
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// claimReduceSumHard judges claim 4 on rows.
func claimReduceSumHard(rows []Row, target float64) claimResult {
	var f tally
	for _, r := range rows {
		multiply := r.Network == "multiply" || r.Network == "multiply_simple"
		if isAnalysed(r) && multiply && r.Task == "reduce_sum" && r.Dataset != "one_hot" {
			f.add(succeeded(r, target))
		}
	}
	nums := fmt.Sprintf("F = %s.", f)
	switch {
	case f.n == 0:
		return claimResult{verdictNoData, nums}
	case f.k == 0:
		return claimResult{verdictConfirmed, nums}
	case f.atMost(1, 2):
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// claimOneHotMostly judges claim 5 on rows; trivial says whether a trivial
// predictor already passes a run's test set (for the caveat only).
func claimOneHotMostly(rows []Row, target float64, trivial func(Row) bool) claimResult {
	per := map[string]*tally{}
	successes, trivialSuccesses := 0, 0
	for _, r := range rows {
		if !isAnalysed(r) || r.Dataset != "one_hot" {
			continue
		}
		if per[r.Network] == nil {
			per[r.Network] = &tally{}
		}
		ok := succeeded(r, target)
		per[r.Network].add(ok)
		if ok {
			successes++
			if trivial(r) {
				trivialSuccesses++
			}
		}
	}
	var p tally // networks that do, of those with one_hot runs
	for _, t := range per {
		p.add(2*t.k > t.n)
	}
	nums := fmt.Sprintf("%d of %d networks succeed on more than half of their one_hot runs (P = %.3f). "+
		"Caveat: %d of the %d one_hot successes are in cells where a trivial predictor already reaches the target.",
		p.k, p.n, p.rate(), trivialSuccesses, successes)
	switch {
	case p.n == 0:
		return claimResult{verdictNoData, nums}
	case 2*p.k > p.n:
		return claimResult{verdictConfirmed, nums}
	case p.atLeast(1, 4):
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// claimActivationRange judges claim 6 on rows; outside returns the fraction
// of a run's test label elements outside the named activation's range
// widened by the metric's tolerance.
func claimActivationRange(rows []Row, target float64, outside func(r Row, activation string) float64) claimResult {
	var fails tally
	perAct := map[string]int{}
	var passed []string
	for _, r := range rows {
		spec := specOf(r)
		if !isAnalysed(r) || spec.Type != "dense" {
			continue
		}
		bounded := false
		for _, act := range boundedActivations {
			bounded = bounded || act.Name == spec.Activation
		}
		if !bounded || outside(r, spec.Activation) <= 0.01 {
			continue
		}
		ok := succeeded(r, target)
		fails.add(!ok)
		perAct[spec.Activation]++
		if ok {
			passed = append(passed, r.Key())
		}
	}
	var parts []string
	for _, act := range boundedActivations {
		parts = append(parts, fmt.Sprintf("%s %d", act.Name, perAct[act.Name]))
	}
	nums := fmt.Sprintf("%d mismatch runs (%s); %d of them fail (M = %.3f).", fails.n, strings.Join(parts, ", "), fails.k, fails.rate())
	if len(passed) > 0 {
		nums += fmt.Sprintf(" Mismatch runs that passed, which should be impossible: %s.", listSome(passed, 5))
	}
	switch {
	case fails.n == 0:
		return claimResult{verdictNoData, nums}
	case fails.atLeast(19, 20):
		return claimResult{verdictConfirmed, nums}
	case fails.atLeast(3, 4):
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// claimResidualWorse judges claim 7 on rows.
func claimResidualWorse(rows []Row, target float64) claimResult {
	type pairKey struct {
		Task, Dataset string
		Seed          uint64
		Depth         int
		Activation    string
	}
	plain, residual := map[pairKey]Row{}, map[pairKey]Row{}
	for _, r := range rows {
		spec := specOf(r)
		if !isAnalysed(r) || (spec.Depth != 2 && spec.Depth != 3) {
			continue
		}
		k := pairKey{r.Task, r.Dataset, r.Seed, spec.Depth, spec.Activation}
		switch spec.Type {
		case "dense":
			plain[k] = r
		case "dense_residual":
			residual[k] = r
		}
	}
	var d, res tally
	wins, losses, ties := 0, 0, 0 // plain's accuracy higher, lower, equal
	for k, p := range plain {
		q, ok := residual[k]
		if !ok {
			continue
		}
		d.add(succeeded(p, target))
		res.add(succeeded(q, target))
		switch pa, qa := runAccuracy(p), runAccuracy(q); {
		case pa > qa:
			wins++
		case pa < qa:
			losses++
		default:
			ties++
		}
	}
	nums := fmt.Sprintf("%d paired runs: d = %s, r = %s, d - r = %+.3f. Paired accuracy: plain higher in %d, residual higher in %d, equal in %d.",
		d.n, d, res, d.rate()-res.rate(), wins, losses, ties)
	switch {
	case d.n == 0:
		return claimResult{verdictNoData, nums}
	case 20*(d.k-res.k) >= d.n: // d - r >= 0.05, both over the same n
		return claimResult{verdictConfirmed, nums}
	case d.k <= res.k:
		return claimResult{verdictNotConfirmed, nums}
	}
	return claimResult{verdictPartly, nums}
}

// claimXorHardest judges claim 8 on rows.
func claimXorHardest(rows []Row) claimResult {
	logical := []string{"logical_and", "logical_or", "logical_xor"}
	type sums struct {
		acc [3]float64
		n   [3]int
	}
	per := map[string]*sums{}
	for _, r := range rows {
		i := slices.Index(logical, r.Task)
		if !isAnalysed(r) || r.Dataset != "many_hot" || i < 0 {
			continue
		}
		if per[r.Network] == nil {
			per[r.Network] = &sums{}
		}
		per[r.Network].acc[i] += runAccuracy(r)
		per[r.Network].n[i]++
	}
	var h tally
	var notHardest []string
	for _, spec := range networkSpecs() {
		s := per[spec.Name]
		if s == nil || s.n[0] == 0 || s.n[1] == 0 || s.n[2] == 0 {
			continue
		}
		and, or, xor := s.acc[0]/float64(s.n[0]), s.acc[1]/float64(s.n[1]), s.acc[2]/float64(s.n[2])
		hardest := xor < and && xor < or
		h.add(hardest)
		if !hardest {
			notHardest = append(notHardest, fmt.Sprintf("%s (AND %s, OR %s, XOR %s)", spec.Name, pct(and), pct(or), pct(xor)))
		}
	}
	nums := fmt.Sprintf("XOR is hardest for %s networks with all three tasks on many_hot.", h)
	if len(notHardest) > 0 {
		nums += " Not for: " + listSome(notHardest, 8) + "."
	}
	switch {
	case h.n == 0:
		return claimResult{verdictNoData, nums}
	case h.k == h.n:
		return claimResult{verdictConfirmed, nums}
	case h.atLeast(1, 2):
		return claimResult{verdictPartly, nums}
	}
	return claimResult{verdictNotConfirmed, nums}
}

// judgeClaims returns the verdicts of the eight claims on the study's rows.
func judgeClaims(s *study) [8]claimResult {
	rows, t := s.analysed, s.target
	return [8]claimResult{
		claimMultiplyBest(rows, t),
		claimMultiplyAlmostEverywhere(rows, t),
		claimSimpleDot(rows, t),
		claimReduceSumHard(rows, t),
		claimOneHotMostly(rows, t, s.trivialRun),
		claimActivationRange(rows, t, s.outsideRange),
		claimResidualWorse(rows, t),
		claimXorHardest(rows),
	}
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:n], "; "), len(items)-n)
}

// ---------------------------------------------------------------------------
// The markdown report.

// pct formats a fraction as a percentage rounded down to 0.1, so that
// "99.0%" or more always means the target 0.99 was reached.
func pct(x float64) string { return fmt.Sprintf("%.1f%%", math.Floor(x*1000+1e-6)/10) }

// mdCell makes s safe inside a markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// mdTable writes a markdown table.
func mdTable(b *strings.Builder, header []string, rows [][]string) {
	fmt.Fprintf(b, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(b, "|%s\n", strings.Repeat("---|", len(header)))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdCell(c)
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
	b.WriteString("\n")
}

// withoutSeeds drops the seeds= setting from a protocol string: a run of
// the paper's protocol with other seeds is still the paper's protocol.
func withoutSeeds(protocol string) string {
	var parts []string
	for _, p := range strings.Split(protocol, ";") {
		if !strings.HasPrefix(p, "seeds=") {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ";")
}

// plural returns "1 row" or "n rows".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// thousands formats n with commas: 8384 -> "8,384".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// joinSeeds lists ascending seeds, runs of three or more as ranges:
// "1, 2", "1–5, 9".
func joinSeeds(seeds []uint64) string {
	var parts []string
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d–%d", seeds[i], seeds[j]))
		case j > i:
			parts = append(parts, fmt.Sprintf("%d, %d", seeds[i], seeds[j]))
		default:
			parts = append(parts, strconv.FormatUint(seeds[i], 10))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// reportMarkdown returns report.md.
func reportMarkdown(s *study) string {
	var b strings.Builder
	writeStatus(&b, s)
	writeSummary(&b, s)
	writeHeatmaps(&b, s)
	writeBaselines(&b, s)
	writeClaims(&b, s)
	writeSeeds(&b, s)
	writeDifferences(&b, s)
	return b.String()
}

// writeStatus writes the title, whether the paper grid is complete, and
// the rows set aside: a torn line, repeats, excluded pairs, errors.
func writeStatus(b *strings.Builder, s *study) {
	b.WriteString("# Which small networks learn which operations: reproduction report\n\n")
	perSeed := paperGridSize()
	done := map[string]bool{}
	for _, r := range s.analysed {
		done[r.Key()] = true
	}
	want := perSeed * len(s.planned)
	errs := 0
	for _, r := range s.analysed {
		if r.Error != "" {
			errs++
		}
	}
	errNote := ""
	if errs > 0 {
		errNote = fmt.Sprintf(" (%d of them failed with an error, listed below)", errs)
	}
	seedWord := "seed"
	if len(s.planned) > 1 {
		seedWord = "seeds"
	}
	if len(done) == want {
		fmt.Fprintf(b, "**Status: complete**: all %s experiments of the paper grid for %s %s%s.\n\n", thousands(want), seedWord, joinSeeds(s.planned), errNote)
	} else {
		fmt.Fprintf(b, "**Status: INCOMPLETE: %s of %s experiments of the paper grid for seed(s) %s%s.** "+
			"Every number below covers only the experiments run so far; run the study again to finish it.\n\n",
			thousands(len(done)), thousands(want), joinSeeds(s.planned), errNote)
	}
	fmt.Fprintf(b, "Made by `go run . report` from `%s` alone (%d rows", s.path, len(s.rows))
	if s.runLog != nil {
		fmt.Fprintf(b, ") and its run log `%s`", runsLogName)
	} else {
		b.WriteString(")")
	}
	b.WriteString(". The paper grid is the 33 analysed (task, dataset) pairs times the 27 networks, 891 experiments per seed. " +
		"A run is one experiment with one seed; it succeeds when its test accuracy is at least " + formatFloat(s.target) +
		"; a run that ended in an error counts as a failure with accuracy 0. Percentages are rounded down.\n\n")
	paper := withoutSeeds(paperProtocol().String())
	if len(s.protocols) == 1 && withoutSeeds(s.protocols[0]) == paper {
		b.WriteString("Protocol: the paper's (PROTOCOL.md).\n\n")
	} else {
		fmt.Fprintf(b, "Protocol: **not the paper's** (PROTOCOL.md); the rows were made under `%s`, the paper's is `%s` (any seeds). "+
			"Its numbers are not those the full protocol would give.\n\n", strings.Join(s.protocols, "`, `"), paper)
	}
	if s.torn > 0 {
		fmt.Fprintf(b, "Note: the last line of `%s` was incomplete (%d bytes without a newline, left by an interrupted write); it was ignored.\n\n", s.path, s.torn)
	}
	if s.duplicates > 0 {
		fmt.Fprintf(b, "Note: %s repeated an experiment already in the file; the first row of each experiment is used.\n\n", plural(s.duplicates, "row"))
	}
	if s.excluded > 0 {
		verb := "are"
		if s.excluded == 1 {
			verb = "is"
		}
		fmt.Fprintf(b, "Note: %s of excluded (task, dataset) pairs (run with -all) %s not analysed.\n\n", plural(s.excluded, "row"), verb)
	}
	var failed [][]string
	for _, r := range s.rows {
		if r.Error != "" {
			failed = append(failed, []string{r.Task, r.Dataset, r.Network, strconv.FormatUint(r.Seed, 10), r.Error})
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(b, "**%s failed with an error**; they count as failures (accuracy 0) everywhere below:\n\n", plural(len(failed), "experiment"))
		mdTable(b, []string{"task", "dataset", "network", "seed", "error"}, failed)
	} else {
		b.WriteString("No experiment failed with an error.\n\n")
	}
}

// writeSummary writes section 1: each network's success rate and mean
// accuracy, best first, and the bar chart.
func writeSummary(b *strings.Builder, s *study) {
	b.WriteString("## 1. Summary per network\n\n")
	ranked := rankNetworks(networkStats(s.analysed, s.target))
	fmt.Fprintf(b, "Over the analysed runs each network has, best first (success rate, then mean accuracy). "+
		"Success means test accuracy >= %s.\n\n", formatFloat(s.target))
	var rows [][]string
	for i, n := range ranked {
		rows = append(rows, []string{strconv.Itoa(i + 1), n.Name, strconv.Itoa(n.Success.n), strconv.Itoa(n.Success.k),
			pct(n.Success.rate()), pct(n.meanAccuracy())})
	}
	mdTable(b, []string{"rank", "network", "runs", "successes", "success rate", "mean accuracy"}, rows)
	if missing := len(networkSpecs()) - len(ranked); missing > 0 {
		fmt.Fprintf(b, "Networks with no runs yet: %d.\n\n", missing)
	}
	fmt.Fprintf(b, "![Success rate per network](%s)\n\n", summarySVGName)
}

// writeHeatmaps writes section 2: the four heat maps.
func writeHeatmaps(b *strings.Builder, s *study) {
	b.WriteString("## 2. Accuracy per task and network, one map per dataset\n\n")
	b.WriteString("Each cell is a (task, network) on the dataset: its test accuracy in percent, rounded down (so 99 or more is a success)")
	if len(s.seeds) > 1 {
		b.WriteString(", the mean over seeds; bold when every seed succeeded")
	} else {
		b.WriteString("; bold when it succeeded")
	}
	b.WriteString(". Hatched grey: an excluded pair. Blank with a dash: not run yet. " +
		"An orange dot: a trivial predictor already reaches the target on that test set (section 3), so a success there shows nothing.\n\n")
	for _, d := range datasetNames {
		fmt.Fprintf(b, "### %s\n\n![Accuracy on %s](%s)\n\n", d, d, heatmapName(d))
	}
}

// writeBaselines writes section 3: the trivial predictors on each analysed
// pair, and each network's lift over them where they fail.
func writeBaselines(b *strings.Builder, s *study) {
	b.WriteString("## 3. Trivial baselines\n\n")
	fmt.Fprintf(b, "Two predictors that learn nothing, measured with the same metric on the same test sets: all zeros, and a constant equal to "+
		"the mean label of each output element over the training records (one_hot: all training pairs; the other datasets: "+
		"the first %s usable training records). Where the better of the two reaches %s the pair is trivially passable: "+
		"the metric cannot tell a network that solved the task from one that learned a constant. ", thousands(baselineTrainRecords), formatFloat(s.target))
	if len(s.splits) > 1 {
		fmt.Fprintf(b, "Accuracies are means over the %d test sets (seeds and sizes) of the runs.", len(s.splits))
	}
	b.WriteString("\n\n")
	if len(s.noBaseline) > 0 {
		fmt.Fprintf(b, "No baselines for these test sets, whose data cannot be generated: %s.\n\n", strings.Join(s.noBaseline, "; "))
	}
	var rows [][]string
	for _, t := range tasks {
		for _, d := range datasetNames {
			if exclusionReason(t.Name, d) != "" {
				continue
			}
			pb := s.pairBaseline(t.Name, d)
			passable := "no"
			switch {
			case pb.Passable.n == 0:
				passable = "–"
			case pb.Passable.k == pb.Passable.n:
				passable = "yes"
			case pb.Passable.k > 0:
				passable = fmt.Sprintf("on %d of %d test sets", pb.Passable.k, pb.Passable.n)
			}
			rows = append(rows, []string{t.Name, d, pct(pb.Zeros), pct(pb.Mean), pct(max(pb.Zeros, pb.Mean)), passable})
		}
	}
	mdTable(b, []string{"task", "dataset", "all zeros", "training mean", "best", "trivially passable"}, rows)

	b.WriteString("Lift of each network on the informative runs, those whose test set no trivial predictor passes: " +
		"its mean accuracy minus the better baseline's, in percentage points, and its successes there.\n\n")
	type lift struct {
		name    string
		success tally
		sum     float64
	}
	var lifts []lift
	for _, n := range networkStats(s.analysed, s.target) {
		l := lift{name: n.Name}
		for _, r := range s.analysed {
			base, ok := s.rowBaseline(r)
			if r.Network != n.Name || !ok || base.best() >= s.target {
				continue
			}
			l.success.add(succeeded(r, s.target))
			l.sum += runAccuracy(r) - base.best()
		}
		lifts = append(lifts, l)
	}
	mean := func(l lift) float64 { return l.sum / float64(max(l.success.n, 1)) }
	sort.SliceStable(lifts, func(i, j int) bool {
		a, c := lifts[i], lifts[j]
		switch {
		case a.success.beats(c.success):
			return true
		case c.success.beats(a.success):
			return false
		case mean(a) != mean(c):
			return mean(a) > mean(c)
		}
		return a.name < c.name
	})
	rows = nil
	for _, l := range lifts {
		lf := "–"
		if l.success.n > 0 {
			lf = fmt.Sprintf("%+.1f pp", 100*mean(l))
		}
		rows = append(rows, []string{l.name, strconv.Itoa(l.success.n), strconv.Itoa(l.success.k), pct(l.success.rate()), lf})
	}
	mdTable(b, []string{"network", "informative runs", "successes", "success rate", "mean lift"}, rows)
}

// writeClaims writes section 4: each claim's verdict, numbers and rule.
func writeClaims(b *strings.Builder, s *study) {
	b.WriteString("## 4. The article's claims\n\n")
	b.WriteString("Each claim is judged by a rule written before any result was seen and not tuned since. " +
		"Rates are over runs of analysed pairs; a run that ended in an error counts as a failure; " +
		"thresholds are compared exactly, so a rate exactly at a threshold reaches it.\n\n")
	verdicts := judgeClaims(s)
	var rows [][]string
	for i, c := range claimTexts {
		rows = append(rows, []string{strconv.Itoa(i + 1), c.Claim, verdicts[i].Verdict})
	}
	mdTable(b, []string{"#", "claim", "verdict"}, rows)
	for i, c := range claimTexts {
		fmt.Fprintf(b, "### Claim %d: %s\n\n**Verdict: %s.** %s\n\nRule: %s\n\n", i+1, c.Claim, verdicts[i].Verdict, verdicts[i].Numbers, c.Rule)
	}
}

// writeSeeds writes section 5: with several seeds, each network's success
// rate with its Wilson interval and the spread of its mean accuracy.
func writeSeeds(b *strings.Builder, s *study) {
	b.WriteString("## 5. Variation over seeds\n\n")
	if len(s.seeds) < 2 {
		fmt.Fprintf(b, "Single seed (%s): no variation to show. Run with -seeds N for more.\n\n", joinSeeds(s.seeds))
		return
	}
	fmt.Fprintf(b, "Seeds %s. Success rate over all of a network's runs with its Wilson 95%% score interval; "+
		"mean accuracy over all its runs, and the lowest and highest of its per-seed mean accuracies.\n\n", joinSeeds(s.seeds))
	var rows [][]string
	for _, n := range rankNetworks(networkStats(s.analysed, s.target)) {
		lo, hi := wilson(n.Success.k, n.Success.n)
		perSeed := map[uint64]*networkStat{}
		for _, r := range s.analysed {
			if r.Network == n.Name {
				if perSeed[r.Seed] == nil {
					perSeed[r.Seed] = &networkStat{}
				}
				perSeed[r.Seed].Success.add(succeeded(r, s.target))
				perSeed[r.Seed].AccSum += runAccuracy(r)
			}
		}
		minAcc, maxAcc := math.Inf(1), math.Inf(-1)
		for _, st := range perSeed {
			minAcc, maxAcc = min(minAcc, st.meanAccuracy()), max(maxAcc, st.meanAccuracy())
		}
		rows = append(rows, []string{n.Name, strconv.Itoa(n.Success.n), pct(n.Success.rate()),
			fmt.Sprintf("%s – %s", pct(lo), pct(hi)), pct(n.meanAccuracy()), pct(minAcc), pct(maxAcc)})
	}
	mdTable(b, []string{"network", "runs", "success rate", "Wilson 95%", "mean accuracy", "min over seeds", "max over seeds"}, rows)
}

// writeDifferences writes section 6: what this reproduction does
// differently from the original code, and the facts of this run.
func writeDifferences(b *strings.Builder, s *study) {
	p := s.protocolOf[s.protocols[0]]
	b.WriteString("## 6. How this run differs from the original\n\n")
	fmt.Fprintf(b, `The original code (TensorFlow 1.12) did several things this reproduction does differently (PROTOCOL.md):

- **Validation, then test.** The original chose the learning rate, and stopped early, on the test set. Here every choice (learning rate, early stopping, grid trial or long run) is made on a validation set, and the accuracy reported is on a test set that no choice has seen. The early-stopping check reads validation records, not a running mean of training-batch accuracy.
- **Disjoint, unique splits.** The original's uniqueness check never worked (a hash without equality), so its one_hot test pairs were all in the training set too. Here training, validation and test records are three disjoint sets, each without repeats; a generated training record equal to a held-out one is skipped.
- **one_hot split by pair.** one_hot has only 16,384 distinct records: %s test pairs, %s validation pairs and the other %s for training.
- **random_pos is really [0, 1).** The original generated it with the same function as random ([-1, 1)), so its random_pos results were a second random run.
- **one_hot_sum is 255 wide**, not 128, so that every sum 0..254 has a place (the original gave sums of 128 or more an all-zero label).
- **Seeds and determinism.** The original set no seeds and regenerated the data for every trial (242 cells run twice gave different results). Here every number in a row is a pure function of the experiment and its seed, whatever the worker count or order.
- **No learning rate carried over.** The original tried the previous experiment's learning rate first, so a result depended on the order of experiments; here each experiment's grid starts afresh.
- **Failures recorded.** The original swallowed errors, losing 9 cells silently; here a failure is a row with its error, counted as a failure.
- **Residual skips at evaluation too.** The original very likely dropped the residual skips at evaluation (inferred from TensorFlow 1.x's shape rules); here the network evaluated is the network trained.
- **Trivial baselines shown** (section 3), since an all-zero or constant output already passes the metric in many cells.
- All 12 tasks (the article lists 10) and all 27 networks (the article reports 23) are in the grid.

`, thousands(p.Test), thousands(p.Val), thousands(max(oneHotDomain-p.Val-p.Test, 0)))
	b.WriteString("### This run\n\n")
	var diverged, errs int
	var wall float64
	for _, r := range s.rows {
		diverged += r.DivergedTrials
		wall += r.WallSeconds
		if r.Error != "" {
			errs++
		}
	}
	notRecorded := "not recorded (no " + runsLogName + ")"
	commands, goVersions, cpus, kernels, workers := notRecorded, notRecorded, notRecorded, notRecorded, notRecorded
	wallText := fmt.Sprintf("%s (sum of the experiments' own wall times; with several workers the study took less)",
		formatDuration(time.Duration(wall*float64(time.Second))))
	if len(s.runLog) > 0 {
		distinct := func(get func(Invocation) string) string {
			var out []string
			for _, r := range s.runLog {
				if v := get(r); !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
			return strings.Join(out, "; ")
		}
		commands = distinct(func(r Invocation) string { return "`" + r.Command + "`" })
		goVersions = distinct(func(r Invocation) string { return r.GoVersion })
		cpus = distinct(func(r Invocation) string { return fmt.Sprintf("%s (%d CPUs)", r.CPU, r.CPUs) })
		kernels = distinct(func(r Invocation) string { return r.Kernel })
		workers = distinct(func(r Invocation) string { return strconv.Itoa(r.Workers) })
		var total float64
		for _, r := range s.runLog {
			total += r.WallSeconds
		}
		wallText = fmt.Sprintf("%s, summed over %s (from %s)", formatDuration(time.Duration(total*float64(time.Second))), plural(len(s.runLog), "invocation"), runsLogName)
	}
	mdTable(b, []string{"fact", "value"}, [][]string{
		{"study command(s)", commands},
		{"report command", "`go run . report -out " + s.dir + "`"},
		{"seed(s)", joinSeeds(s.seeds)},
		{"protocol", "`" + strings.Join(s.protocols, "`, `") + "`"},
		{"Go version", goVersions},
		{"CPU", cpus},
		{"matrix kernels", kernels},
		{"workers", workers},
		{"total wall time", wallText},
		{"experiments run (rows)", fmt.Sprintf("%d (%d analysed, %d of excluded pairs)", len(s.rows), len(s.analysed), s.excluded)},
		{"diverged trials", strconv.Itoa(diverged)},
		{"rows with errors", strconv.Itoa(errs)},
	})
	if len(s.runLog) > 0 {
		var rows [][]string
		for _, r := range s.runLog {
			rows = append(rows, []string{r.Started.Format("2006-01-02 15:04"), "`" + r.Command + "`", strconv.Itoa(r.Workers),
				strconv.Itoa(r.Ran), formatDuration(time.Duration(r.WallSeconds * float64(time.Second))), strconv.FormatBool(r.Interrupted)})
		}
		b.WriteString("Invocations:\n\n")
		mdTable(b, []string{"started", "command", "workers", "experiments run", "wall time", "interrupted"}, rows)
	}
}

// ---------------------------------------------------------------------------
// The SVG charts: plain SVG 1.1, no script, fonts by generic family.

// blues is ColorBrewer's 9-class "Blues" ramp (Cynthia Brewer,
// colorbrewer2.org), light to dark: lightness falls steadily with the value,
// so it reads in grey too.
var blues = [...][3]float64{
	{247, 251, 255}, {222, 235, 247}, {198, 219, 239}, {158, 202, 225}, {107, 174, 214},
	{66, 146, 198}, {33, 113, 181}, {8, 81, 156}, {8, 48, 107},
}

// rampColour returns the colour of accuracy v in [0, 1] (clamped),
// interpolated linearly between the ramp's neighbouring stops.
func rampColour(v float64) string {
	if math.IsNaN(v) {
		v = 0
	}
	v = max(0, min(1, v))
	x := v * float64(len(blues)-1)
	i := min(int(x), len(blues)-2)
	f := x - float64(i)
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(blues[i][k]*(1-f) + blues[i+1][k]*f))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

// textColour returns black or white, whichever reads on rampColour(v).
func textColour(v float64) string {
	if v >= 0.6 {
		return "#fff"
	}
	return "#000"
}

// esc escapes s for XML text and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// Heat map geometry, in pixels.
const (
	hmCellW, hmCellH = 30, 20   // one cell
	hmLeft, hmTop    = 125, 175 // the grid's top-left corner: room for task names and rotated network names
)

// heatmapSVG draws dataset's task x network heat map: a row per task (tasks
// order), a column per network (networkSpecs order), each cell one rect of
// class "cell" (plus "excluded" or "missing"), and a legend below.
func heatmapSVG(s *study, dataset string) string {
	specs := networkSpecs()
	cells := cellStats(s.analysed, s.target)
	gridW, gridH := len(specs)*hmCellW, len(tasks)*hmCellH
	width, height := hmLeft+gridW+20, hmTop+gridH+110
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>.v{font-size:9px;text-anchor:middle} .ok{font-weight:bold} .col{font-size:10px} .row{font-size:11px;text-anchor:end} .key{font-size:11px}</style>
<defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e3e3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/></pattern>
<linearGradient id="ramp">`, width, height, width, height)
	for i := range blues {
		v := float64(i) / float64(len(blues)-1)
		fmt.Fprintf(&b, `<stop offset="%g" stop-color="%s"/>`, v, rampColour(v))
	}
	b.WriteString("</linearGradient>\n</defs>\n")
	seedNote := ""
	if len(s.seeds) > 1 {
		seedNote = fmt.Sprintf(", mean over %d seeds", len(s.seeds))
	}
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">Test accuracy (%%) on %s%s</text>`+"\n", esc(dataset), seedNote)
	for j, spec := range specs {
		x := hmLeft + j*hmCellW + hmCellW/2 + 3
		fmt.Fprintf(&b, `<text class="col" transform="translate(%d,%d) rotate(-90)">%s</text>`+"\n", x, hmTop-6, esc(spec.Name))
	}
	for i, t := range tasks {
		y := hmTop + i*hmCellH
		fmt.Fprintf(&b, `<text class="row" x="%d" y="%d">%s</text>`+"\n", hmLeft-6, y+hmCellH/2+4, esc(t.Name))
		trivial := exclusionReason(t.Name, dataset) == "" && s.trivialPair(t.Name, dataset)
		for j, spec := range specs {
			x := hmLeft + j*hmCellW
			heatmapCell(&b, x, y, t.Name, dataset, spec.Name, cells[cellID{t.Name, dataset, spec.Name}], trivial, s.target)
		}
	}
	// The legend: the colour ramp, then a key to the other marks.
	ly := hmTop + gridH + 30
	fmt.Fprintf(&b, `<text class="key" x="%d" y="%d">accuracy</text>`+"\n", hmLeft-6-55, ly+11)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="300" height="14" fill="url(#ramp)" stroke="#999"/>`+"\n", hmLeft, ly)
	for _, v := range []int{0, 25, 50, 75, 100} {
		x := hmLeft + v*3
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555"/><text class="key" x="%d" y="%d" text-anchor="middle">%d%%</text>`+"\n",
			x, ly+14, x, ly+18, x, ly+30, v)
	}
	ky := ly + 50
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/><text class="key" x="%d" y="%d">excluded pair</text>`+"\n",
		hmLeft, ky, hmCellW, hmCellH, hmLeft+hmCellW+6, ky+14)
	kx := hmLeft + 140
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#ccc"/><text class="v" x="%d" y="%d" fill="#999">–</text><text class="key" x="%d" y="%d">not run yet</text>`+"\n",
		kx, ky, hmCellW, hmCellH, kx+hmCellW/2, ky+13, kx+hmCellW+6, ky+14)
	kx += 130
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="#f58518" stroke="#fff" stroke-width="0.8"/><text class="key" x="%d" y="%d">a trivial predictor passes</text>`+"\n",
		kx+4, ky+10, kx+14, ky+14)
	kx += 200
	fmt.Fprintf(&b, `<text class="key ok" x="%d" y="%d">bold</text><text class="key" x="%d" y="%d">: success (&gt;= %s%%)</text>`+"\n",
		kx, ky+14, kx+27, ky+14, formatFloat(100*s.target))
	b.WriteString("</svg>\n")
	return b.String()
}

// heatmapCell draws one heat-map cell at (x, y): its rect, a tooltip, the
// accuracy and, if trivial, the orange dot. c is nil for a cell not run.
func heatmapCell(b *strings.Builder, x, y int, task, dataset, network string, c *cellStat, trivial bool, target float64) {
	cx, ty := x+hmCellW/2, y+hmCellH/2+3
	label := fmt.Sprintf("%s × %s on %s", task, network, dataset)
	b.WriteString("<g>")
	switch {
	case exclusionReason(task, dataset) != "":
		fmt.Fprintf(b, `<title>%s: excluded (%s)</title><rect class="cell excluded" x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/>`,
			esc(label), esc(exclusionReason(task, dataset)), x, y, hmCellW, hmCellH)
	case c == nil:
		fmt.Fprintf(b, `<title>%s: not run yet</title><rect class="cell missing" x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#ddd"/><text class="v" x="%d" y="%d" fill="#999">–</text>`,
			esc(label), x, y, hmCellW, hmCellH, cx, ty)
	default:
		acc := c.AccSum / float64(c.Success.n)
		class, text, style := "cell", strconv.Itoa(int(math.Floor(acc*100+1e-7))), ""
		if c.Errors > 0 {
			class += " error"
		}
		colour := textColour(acc)
		if c.Errors == c.Success.n {
			text, colour = "err", "#c00"
		}
		if c.Success.k == c.Success.n {
			style = " ok"
		}
		fmt.Fprintf(b, `<title>%s: %s, %d of %d seeds succeeded`, esc(label), pct(acc), c.Success.k, c.Success.n)
		if c.Errors > 0 {
			fmt.Fprintf(b, ", %d ended in an error", c.Errors)
		}
		fmt.Fprintf(b, `</title><rect class="%s" x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/><text class="v%s" x="%d" y="%d" fill="%s">%s</text>`,
			class, x, y, hmCellW, hmCellH, rampColour(acc), style, cx, ty, colour, text)
	}
	if trivial {
		fmt.Fprintf(b, `<circle class="trivial" cx="%d" cy="%d" r="2.5" fill="#f58518" stroke="#fff" stroke-width="0.6"/>`, x+hmCellW-4, y+4)
	}
	b.WriteString("</g>\n")
}

// summarySVG draws one horizontal bar (rect class "bar") per network in
// stats, in the given order: the bar is the success rate, the text after it
// the counts and the mean accuracy.
func summarySVG(stats []networkStat, target float64) string {
	const rowH, left, barW, top = 22, 185, 400, 50
	width, height := left+barW+230, top+len(stats)*rowH+40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>text{font-size:12px} .name{text-anchor:end} .axis{font-size:10px;text-anchor:middle;fill:#555}</style>
<text x="10" y="20" font-size="15" font-weight="bold">Success rate per network (test accuracy &gt;= %s%%), best first</text>
`, width, height, width, height, formatFloat(100*target))
	axisY := top + len(stats)*rowH
	for _, v := range []int{0, 25, 50, 75, 100} {
		x := left + v*barW/100
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text class="axis" x="%d" y="%d">%d%%</text>`+"\n",
			x, top-6, x, axisY+4, x, axisY+16, v)
	}
	for i, n := range stats {
		y := top + i*rowH
		w := n.Success.rate() * barW
		fmt.Fprintf(&b, `<text class="name" x="%d" y="%d">%s</text>`, left-8, y+rowH/2+4, esc(n.Name))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="#2171b5"><title>%s: %s</title></rect>`,
			left, y+4, w, rowH-8, esc(n.Name), n.Success)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d/%d (%s), mean accuracy %s</text>`+"\n",
			float64(left)+w+6, y+rowH/2+4, n.Success.k, n.Success.n, pct(n.Success.rate()), pct(n.meanAccuracy()))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
