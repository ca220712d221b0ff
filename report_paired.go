// report_paired.go: networks compared run against run. Every network runs
// on the same (task, dataset) cells with the same seeds, so two networks
// are compared over the places (task, dataset, seed) where both ran: an
// exact McNemar test on success, a sign test on accuracy, and a clustered
// bootstrap interval for the difference in success rate (stats.go). Also
// the informative runs (no trivial predictor passes their test set), a
// network's success rate with its interval, and parameter counts. It knows
// nothing about Markdown or SVG.
package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
)

// significance is the level below which a test counts as evidence, and
// the interval's confidence is 1 - significance (95%).
const significance = 0.05

// place is where a run stands apart from its network: a (task, dataset)
// cell and a seed.
type place struct {
	Task, Dataset string
	Seed          uint64
}

// cell returns the (task, dataset) cell of a place.
func (p place) cell() [2]string { return [2]string{p.Task, p.Dataset} }

// runIndex holds runs by place, then network.
type runIndex map[place]map[string]Row

// indexRuns indexes the rows that keep accepts.
func indexRuns(rows []Row, keep func(Row) bool) runIndex {
	idx := runIndex{}
	for _, r := range rows {
		if !keep(r) {
			continue
		}
		p := place{r.Task, r.Dataset, r.Seed}
		if idx[p] == nil {
			idx[p] = map[string]Row{}
		}
		idx[p][r.Network] = r
	}
	return idx
}

// places returns the index's places in a fixed order (task, dataset, seed),
// so that every computation over them is reproducible.
func (idx runIndex) places() []place {
	var ps []place
	for p := range idx {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b place) int {
		return cmp.Or(cmp.Compare(a.Task, b.Task), cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.Seed, b.Seed))
	})
	return ps
}

// informative reports whether no trivial predictor reaches the target on
// the run's test set (and that set's baseline is known): only there does a
// success show that something was learned.
func (s *study) informative(r Row) bool {
	b, ok := s.rowBaseline(r)
	return ok && b.best() < s.target
}

// informativeRuns indexes the analysed runs on informative test sets.
func (s *study) informativeRuns() runIndex {
	return indexRuns(s.analysed, s.informative)
}

// bootstrapSeed fixes the draws of every bootstrap interval in the report,
// so that a report renders the same every time.
const bootstrapSeed = 20181015

// byCell groups values[i], measured at places[i], by their (task, dataset)
// cell, cells in the order of first appearance: the input
// clusteredBootstrap wants.
func byCell(places []place, values []float64) [][]float64 {
	var out [][]float64
	at := map[[2]string]int{}
	for i, p := range places {
		c, seen := at[p.cell()]
		if !seen {
			c = len(out)
			at[p.cell()] = c
			out = append(out, nil)
		}
		out[c] = append(out[c], values[i])
	}
	return out
}

// comparison is network A against network B over the places where both ran.
type comparison struct {
	A, B         string
	Pairs        int     // places where both ran
	OnlyA, OnlyB int     // places where only A, only B succeeded: McNemar's discordant pairs
	McNemarP     float64 // exact McNemar test of OnlyA against OnlyB
	HolmP        float64 // McNemarP adjusted over the comparisons made together (set by the caller; McNemarP alone)
	HigherA      int     // places where A's test accuracy is strictly higher than B's
	HigherB      int     // and where B's is
	SignP        float64 // exact sign test of HigherA against HigherB
	RateA, RateB float64 // success rates over the pairs
	Diff         float64 // RateA - RateB
	Lo, Hi       float64 // 95% clustered bootstrap interval of Diff (cells, then seeds within a cell)
	// CellsA and CellsB count the (task, dataset) cells where A succeeded
	// in more of the cell's paired seeds than B, and the reverse; CellSignP
	// is the exact sign test of one against the other. McNemar counts
	// places as if independent; runs of one cell are not, so this test, one
	// vote per cell, shows how much of the discordance a few cells carry.
	CellsA, CellsB int
	CellSignP      float64
}

// diffText prints Diff and its interval in percentage points:
// "+21.4 pp [+0.3, +45.2]" (see signedPP for bounds near 0).
func (c comparison) diffText() string {
	return fmt.Sprintf("%s pp [%s, %s]", signedPP(c.Diff), signedPP(c.Lo), signedPP(c.Hi))
}

// cellsText prints the cell-level sign test: "9 : 4 cells, p = 0.267".
func (c comparison) cellsText() string {
	return fmt.Sprintf("%d : %d cells, p = %.3g", c.CellsA, c.CellsB, c.CellSignP)
}

// signedPP prints a fraction as signed percentage points to 0.1, exact 0
// as "0.0", and a value that would round to ±0.0 with two significant
// digits, so that a bound's side of 0 is never hidden by rounding.
func signedPP(x float64) string {
	switch v := 100 * x; {
	case v == 0:
		return "0.0"
	case math.Abs(v) < 0.05:
		return fmt.Sprintf("%+.2g", v)
	default:
		return fmt.Sprintf("%+.1f", v)
	}
}

// runPair is two runs at one place: A's and B's.
type runPair struct {
	At   place
	A, B Row
}

// pairsOf returns the places of idx where both networks a and b ran, in
// idx.places order.
func pairsOf(idx runIndex, a, b string) []runPair {
	var out []runPair
	for _, p := range idx.places() {
		ra, hasA := idx[p][a]
		rb, hasB := idx[p][b]
		if hasA && hasB {
			out = append(out, runPair{p, ra, rb})
		}
	}
	return out
}

// compareNetworks compares network a with network b over idx's places.
func compareNetworks(idx runIndex, target float64, a, b string) comparison {
	c := comparePairs(pairsOf(idx, a, b), target)
	c.A, c.B = a, b
	return c
}

// comparePairs compares the A side of pairs with the B side: McNemar on
// success, the sign test on accuracy, and the clustered bootstrap interval
// of the difference in success rate, clustered by the pairs' cells.
func comparePairs(pairs []runPair, target float64) comparison {
	var c comparison
	var okA, okB int
	places, diffs := make([]place, len(pairs)), make([]float64, len(pairs))
	for k, pr := range pairs {
		sa, sb := pr.A.succeeded(target), pr.B.succeeded(target)
		okA, okB = okA+b2i(sa), okB+b2i(sb)
		c.OnlyA += b2i(sa && !sb)
		c.OnlyB += b2i(sb && !sa)
		c.HigherA += b2i(pr.A.testAccuracy() > pr.B.testAccuracy())
		c.HigherB += b2i(pr.B.testAccuracy() > pr.A.testAccuracy())
		places[k], diffs[k] = pr.At, float64(b2i(sa)-b2i(sb))
	}
	c.Pairs = len(pairs)
	c.McNemarP = mcnemarP(c.OnlyA, c.OnlyB)
	c.HolmP = c.McNemarP
	c.SignP = signTestP(c.HigherA, c.HigherB)
	if c.Pairs > 0 {
		c.RateA, c.RateB = float64(okA)/float64(c.Pairs), float64(okB)/float64(c.Pairs)
	}
	cells := byCell(places, diffs)
	c.Diff, c.Lo, c.Hi = clusteredBootstrap(cells, bootstrapSeed)
	for _, cell := range cells {
		var net float64
		for _, d := range cell {
			net += d
		}
		c.CellsA, c.CellsB = c.CellsA+b2i(net > 0), c.CellsB+b2i(net < 0)
	}
	c.CellSignP = signTestP(c.CellsA, c.CellsB)
	return c
}

// b2i is 1 for true, 0 for false.
func b2i(ok bool) int {
	if ok {
		return 1
	}
	return 0
}

// compareAgainst compares network a with every other network that has runs
// in idx, in networks order, and adjusts the McNemar p-values with Holm's
// correction over those comparisons.
func compareAgainst(idx runIndex, target float64, a string, others []string) []comparison {
	var out []comparison
	for _, o := range others {
		if o == a {
			continue
		}
		if c := compareNetworks(idx, target, a, o); c.Pairs > 0 {
			out = append(out, c)
		}
	}
	ps := make([]float64, len(out))
	for i, c := range out {
		ps[i] = c.McNemarP
	}
	for i, p := range holm(ps) {
		out[i].HolmP = p
	}
	return out
}

// Effects: how a comparison, or an interval against a threshold, reads.
const (
	effectFor     = "for"     // the claimed direction, shown beyond chance
	effectAgainst = "against" // the opposite direction, shown beyond chance
	effectUnclear = "unclear" // neither
)

// effect reads "A does better than B" on c: for when A's success rate is
// higher with the bootstrap interval above 0 and the Holm-adjusted McNemar
// test below the significance level; against when the same holds for B;
// unclear otherwise. A handful of discordant places can pass neither test.
func (c comparison) effect() string {
	switch {
	case c.Lo > 0 && c.OnlyA > c.OnlyB && c.HolmP < significance:
		return effectFor
	case c.Hi < 0 && c.OnlyB > c.OnlyA && c.HolmP < significance:
		return effectAgainst
	}
	return effectUnclear
}

// distinguishable reports whether the comparison tells the two networks
// apart in either direction.
func (c comparison) distinguishable() bool { return c.effect() != effectUnclear }

// rateInterval is a success rate with its 95% interval.
type rateInterval struct {
	Successes, Runs int
	Rate, Lo, Hi    float64
}

// networkRate returns network's success rate over idx's places, with the
// clustered bootstrap interval (cells, then seeds): for a statement about
// networks in general, over cells like these.
func networkRate(idx runIndex, target float64, network string) rateInterval {
	var ri rateInterval
	var places []place
	var successes []float64
	for _, p := range idx.places() {
		if r, ok := idx[p][network]; ok {
			places, successes = append(places, p), append(successes, float64(b2i(r.succeeded(target))))
			ri.Runs++
			ri.Successes += b2i(r.succeeded(target))
		}
	}
	ri.Rate, ri.Lo, ri.Hi = clusteredBootstrap(byCell(places, successes), bootstrapSeed)
	return ri
}

// fixedCellsRate is the success rate of the runs keep accepts, with a
// Wilson interval over the runs: for a statement about the named cells
// themselves, where the seed is the only random part and runs of a cell are
// independent draws (pooling them is then conservative, not optimistic).
func fixedCellsRate(rows []Row, target float64, keep func(Row) bool) rateInterval {
	var t tally
	for _, r := range rows {
		if keep(r) {
			t.add(r.succeeded(target))
		}
	}
	lo, hi := wilson(t.k, t.n)
	return rateInterval{Successes: t.k, Runs: t.n, Rate: t.rate(), Lo: lo, Hi: hi}
}

// atLeast reads "the rate is at least threshold" on the interval: for when
// the whole interval is at or above it, against when it is wholly below,
// unclear otherwise (and with no runs).
func (ri rateInterval) atLeast(threshold float64) string {
	switch {
	case ri.Runs == 0:
		return effectUnclear
	case ri.Lo >= threshold:
		return effectFor
	case ri.Hi < threshold:
		return effectAgainst
	}
	return effectUnclear
}

// paramWidth is the output width at which the report counts parameters:
// the width of most tasks (elementwise_*, equality, the logical tasks).
const paramWidth = 128

// parameterCounts returns every registered network's number of trainable
// numbers (weights and biases) at the study's widths with paramWidth
// outputs, counted once.
var parameterCounts = sync.OnceValue(func() map[string]int {
	counts := map[string]int{}
	for _, spec := range networks {
		net, err := buildNetwork(spec, busWidth, hiddenWidth, paramWidth)
		if err != nil {
			continue
		}
		for _, p := range net.Params() {
			counts[spec.Name] += len(p.Value.Data)
		}
	}
	return counts
})

// sameSize returns the paper's networks whose parameter count is within a
// factor 1.25 of network's, itself excluded, in networks order.
func sameSize(network string) []string {
	counts := parameterCounts()
	n := float64(counts[network])
	var out []string
	for _, o := range paperNetworks {
		m := float64(counts[o.Name])
		if o.Name != network && m <= 1.25*n && n <= 1.25*m {
			out = append(out, o.Name)
		}
	}
	return out
}

// networkSummary is one network's line in the report's summary.
type networkSummary struct {
	Name         string
	Params       int          // parameters at output width paramWidth
	Informative  rateInterval // success on informative runs, clustered bootstrap interval
	Strict       tally        // strict-metric successes on informative runs
	All          tally        // successes on all analysed runs
	MeanAccuracy float64      // mean test accuracy over all analysed runs
	MeanLift     float64      // mean of accuracy minus the best trivial predictor's, over informative runs
}

// summarize returns the summary of every network with analysed runs,
// ranked on the informative runs: by success rate, then mean lift, then
// name.
func summarize(s *study) []networkSummary {
	idx := s.informativeRuns()
	var out []networkSummary
	for _, st := range networkStats(s.analysed, s.target) {
		ns := networkSummary{Name: st.Name, Params: parameterCounts()[st.Name], All: st.Success, MeanAccuracy: st.meanAccuracy()}
		ns.Informative = networkRate(idx, s.target, st.Name)
		var liftSum float64
		for _, r := range s.analysed {
			if r.Network == st.Name && s.informative(r) {
				b, _ := s.rowBaseline(r)
				liftSum += r.testAccuracy() - b.best()
				ns.Strict.add(strictSucceeded(r, s.target))
			}
		}
		ns.MeanLift = liftSum / float64(max(ns.Strict.n, 1))
		out = append(out, ns)
	}
	slices.SortStableFunc(out, func(a, b networkSummary) int {
		ta := tally{a.Informative.Successes, a.Informative.Runs}
		tb := tally{b.Informative.Successes, b.Informative.Runs}
		if ranksAbove(ta, tb, a.MeanLift, b.MeanLift, a.Name, b.Name) {
			return -1
		}
		return 1
	})
	return out
}
