// report_claims.go: the report's counting and the article's eight claims.
// Tallies of successes per network and per cell, the Wilson interval, and
// one judge per claim: a pure function of the rows (and, for two claims,
// of the trivial baselines), under a rule fixed in code (see writeClaims
// for what was known when the rules were written).
// It knows nothing about Markdown or SVG, nor about how a network trains.
package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

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
		st.Success.add(r.succeeded(target))
		st.AccSum += r.testAccuracy()
	}
	var out []networkStat
	for _, spec := range networks {
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
		return ranksAbove(a.Success, b.Success, a.meanAccuracy(), b.meanAccuracy(), a.Name, b.Name)
	})
	return out
}

// ranksAbove is the report's order of networks, best first: a network a
// ranks above b by a higher success rate (tallies sa, sb), then a higher
// mean (ma, mb), then its name (na, nb) coming first.
func ranksAbove(sa, sb tally, ma, mb float64, na, nb string) bool {
	switch {
	case sa.beats(sb):
		return true
	case sb.beats(sa):
		return false
	case ma != mb:
		return ma > mb
	}
	return na < nb
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
		c.Success.add(r.succeeded(target))
		c.AccSum += r.testAccuracy()
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
// The article's claims, each judged by a rule fixed in code and printed in
// the report. A rule reads an interval or a test (report_paired.go): a
// claim is confirmed only when the effect it states is shown beyond chance
// in its direction, contradicted when the opposite is, and inconclusive
// otherwise, so that one seed's coin flips near the 0.99 line cannot decide
// a verdict.

// Verdicts.
const (
	verdictConfirmed    = "confirmed"
	verdictContradicted = "contradicted"
	verdictInconclusive = "inconclusive"
	verdictUntestable   = "untestable"
	verdictNoData       = "no data"
)

// claimResult is a claim's verdict under its rule, with the numbers behind it.
type claimResult struct {
	Verdict string
	Numbers string
}

// almostAll is the success rate that "reaches close to 100%" and "reaches
// 100%" are read as: at least 9 runs in 10.
const almostAll = 0.9

// claimInput is what the claim judges read: the analysed rows, the target,
// and what the baselines say about a run.
type claimInput struct {
	rows        []Row                           // analysed runs
	target      float64                         // success: test accuracy >= target
	informative func(Row) bool                  // no trivial predictor passes the run's test set
	gapClosed   func(Row) (float64, bool)       // max(0, accuracy - best trivial) / (1 - best trivial)
	outside     func(r Row, act string) float64 // fraction of the run's test labels act cannot reach
	bestTrivial func(Row) (float64, bool)       // the best trivial predictor's accuracy on the run's test set
}

// claimTexts are the article's eight claims (PROTOCOL.md) and their rules,
// in the words the report prints.
var claimTexts = [8]struct{ Claim, Rule string }{
	{"The multiply network has the best overall success.",
		"On the informative runs (section 3: no trivial predictor passes their test set), multiply is compared with every other network " +
			"over the places (task, dataset, seed) where both ran: an exact McNemar test on success, Holm-adjusted over those comparisons, " +
			"and a 95% bootstrap interval of the difference in success rate that resamples cells, then seeds within a cell. " +
			"Multiply is ahead of a network when the interval lies above 0 and the adjusted p < 0.05, behind it when the interval lies below 0 and p < 0.05. " +
			"Confirmed if it is ahead of every other network; contradicted if it is behind any; inconclusive otherwise. " +
			"The same rule is applied again against only the networks of about its size (parameter count within a factor 1.25 at output width 128), " +
			"to tell \"multiply wins\" from \"more parameters win\"."},
	{"Multiply reaches close to 100% on almost every task and dataset, except dot and reduce_sum.",
		"A = multiply's success rate on the informative runs of tasks other than dot and reduce_sum, B = on the informative dot and reduce_sum runs, " +
			"each with a Wilson 95% interval over the runs (the cells are the ones the claim names; the seed is the random part). " +
			"Confirmed if A's interval lies at or above 0.9 and B's below 0.9; contradicted if A's lies below 0.9 or B's at or above 0.9; inconclusive otherwise."},
	{"Multiply simple reaches 100% on dot.",
		"S = multiply_simple's success rate on the informative dot runs, with a Wilson 95% interval over the runs; \"reaches 100%\" is read as at least 9 runs in 10. " +
			"Confirmed if the interval lies at or above 0.9; contradicted if it lies below 0.9; inconclusive otherwise."},
	{"Neither multiply variant does well on reduce_sum (datasets other than one_hot).",
		"For each of multiply and multiply_simple, F = its success rate on reduce_sum runs with many_hot, random or random_pos, with a Wilson 95% interval over the runs; " +
			"\"does well\" is a success rate of at least 0.5. Confirmed if both intervals lie below 0.5; contradicted if either lies at or above 0.5; inconclusive otherwise."},
	{"Most networks reach > 99% on most tasks with one_hot inputs.",
		"On the informative one_hot runs, each network's success rate with a Wilson 95% interval over its runs: it reaches > 99% on most tasks when the interval lies at or above 0.5, " +
			"and does not when it lies below 0.5. Confirmed if more than half of the networks with such runs do; contradicted if at least half do not; inconclusive otherwise. " +
			"one_hot cells a trivial predictor passes do not count: there a success shows nothing."},
	{"An activation whose range excludes the label domain fails (e.g. sigmoid on reduce_sum).",
		"Untestable as stated: a plain dense network whose output activation (" + boundedRanges() + ") cannot come within the metric's tolerance of more than 1% " +
			"of a test set's labels cannot reach 99% on it, by arithmetic, so no result can refute the claim. It is kept as a check of the implementation: " +
			"such mismatch runs are counted, and any that passed would be a bug."},
	{"Residual networks do worse than plain dense networks.",
		"Each informative dense-D-ACT run is paired with the dense_residual-D-ACT run of the same depth (2, 3), activation, task, dataset and seed. " +
			"An exact McNemar test on success over the pairs, and a 95% bootstrap interval of the difference in success rate (plain minus residual) that resamples cells, then pairs within a cell. " +
			"Confirmed if the interval lies above 0 and p < 0.05; contradicted if it lies below 0 and p < 0.05; inconclusive otherwise."},
	{"XOR is the hardest logical task, on many_hot for every network.",
		"The three tasks' chance levels differ (the best constant scores about 75% on AND and OR, 50% on XOR), so hardness is read from the share of the gap " +
			"between the best trivial predictor and a perfect score that a run closed, g = max(0, accuracy - best) / (1 - best), 0 for a run no better than the best constant. For each network with many_hot runs of all three, " +
			"paired by seed: XOR is hardest when g(XOR) is below both g(AND) and g(OR) in an exact sign test with p < 0.05 each; XOR is easier than AND or OR when g(XOR) is above it " +
			"with p < 0.05 after Holm's correction over every network's two comparisons. Confirmed if XOR is hardest for every such network; contradicted if it is easier for some network; " +
			"inconclusive otherwise."},
}

// strictSucceeded is success under the strict metric: every element of at
// least a target share of the test records right.
func strictSucceeded(r Row, target float64) bool { return r.Error == "" && r.RecordAccuracy >= target }

// strictRate is the share of rows that succeed under the strict metric.
func strictRate(rows []Row, target float64) tally {
	var t tally
	for _, r := range rows {
		t.add(strictSucceeded(r, target))
	}
	return t
}

// filterRows returns the rows keep accepts.
func filterRows(rows []Row, keep func(Row) bool) []Row {
	var out []Row
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// formatRate prints a rate with its interval and counts: "75.0% [60.1%, 86.0%] (30 of 40)".
func formatRate(ri rateInterval) string {
	return fmt.Sprintf("%s [%s, %s] (%d of %d)", pct(ri.Rate), pct(ri.Lo), pctUp(ri.Hi), ri.Successes, ri.Runs)
}

// formatComparison prints a comparison's difference, its interval, the
// discordant places and the adjusted p-value, compactly.
func formatComparison(c comparison) string {
	return fmt.Sprintf("%s %s, %d : %d, Holm p %.3g", c.B, c.diffText(), c.OnlyA, c.OnlyB, c.HolmP)
}

// aheadOfAll is the rule of claim 1 on comparisons of one network against
// others: confirmed if ahead of all, contradicted if behind any.
func aheadOfAll(cs []comparison) (verdict string, behind, unclear []string) {
	ahead, behind, unclear := comparedBy(cs)
	switch {
	case len(cs) == 0:
		return verdictNoData, nil, nil
	case len(behind) > 0:
		return verdictContradicted, behind, unclear
	case len(ahead) == len(cs):
		return verdictConfirmed, nil, nil
	}
	return verdictInconclusive, nil, unclear
}

// byEffect sorts names[i] by its reading effects[i] (effectFor,
// effectAgainst, effectUnclear) into three lists, in order.
func byEffect(names, effects []string) (forIt, against, unclear []string) {
	for i, e := range effects {
		switch e {
		case effectFor:
			forIt = append(forIt, names[i])
		case effectAgainst:
			against = append(against, names[i])
		default:
			unclear = append(unclear, names[i])
		}
	}
	return forIt, against, unclear
}

// comparedBy sorts the B sides of comparisons of one network A against
// others by how each reads: A ahead of them, behind them, not told apart.
func comparedBy(cs []comparison) (ahead, behind, unclear []string) {
	names, effects := make([]string, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		names[i], effects[i] = c.B, c.effect()
	}
	return byEffect(names, effects)
}

// claimMultiplyBest judges claim 1.
func claimMultiplyBest(in claimInput) claimResult {
	idx := indexRuns(in.rows, in.informative)
	var others []string
	for _, n := range networks {
		others = append(others, n.Name)
	}
	all := compareAgainst(idx, in.target, "multiply", others)
	rate := networkRate(idx, in.target, "multiply")
	if rate.Runs == 0 || len(all) == 0 {
		return claimResult{verdictNoData, "Needs informative runs of multiply and of at least one other network at the same places."}
	}
	verdict, behind, unclear := aheadOfAll(all)
	nums := fmt.Sprintf("multiply succeeds on %s of its informative runs (strict metric: %s). Against %d networks: ahead of %d",
		formatRate(rate), strictRate(filterRows(in.rows, func(r Row) bool { return r.Network == "multiply" && in.informative(r) }), in.target),
		len(all), len(all)-len(behind)-len(unclear))
	if len(behind) > 0 {
		nums += "; behind " + listSome(behind, 8)
	}
	if len(unclear) > 0 {
		nums += "; not distinguishable from " + listSome(unclear, 8)
	}
	nums += " (section 1 lists every comparison)."
	size := sameSize("multiply")
	sized := compareAgainst(idx, in.target, "multiply", size)
	sizeVerdict, _, _ := aheadOfAll(sized)
	nums += fmt.Sprintf(" Against the networks of its size (%s, %s parameters at width %d: %s): %s.",
		"multiply", thousands(parameterCounts()["multiply"]), paramWidth, strings.Join(size, ", "), sizeVerdict)
	var parts []string
	for _, c := range sized {
		parts = append(parts, formatComparison(c))
	}
	if len(parts) > 0 {
		nums += fmt.Sprintf(" Holm over these %d: %s.", len(parts), strings.Join(parts, "; "))
	}
	return claimResult{verdict, nums}
}

// claimMultiplyAlmostEverywhere judges claim 2.
func claimMultiplyAlmostEverywhere(in claimInput) claimResult {
	isDotOrSum := func(r Row) bool { return r.Task == "dot" || r.Task == "reduce_sum" }
	inA := func(r Row) bool { return r.Network == "multiply" && in.informative(r) && !isDotOrSum(r) }
	a := fixedCellsRate(in.rows, in.target, inA)
	b := fixedCellsRate(in.rows, in.target, func(r Row) bool { return r.Network == "multiply" && in.informative(r) && isDotOrSum(r) })
	nums := fmt.Sprintf("A = %s; B = %s. Strict metric on A's runs: %s.", formatRate(a), formatRate(b), strictRate(filterRows(in.rows, inA), in.target)) +
		unreachableAtLeast(a, almostAll)
	ea, eb := a.atLeast(almostAll), b.atLeast(almostAll)
	switch {
	case a.Runs == 0 || b.Runs == 0:
		return claimResult{verdictNoData, nums}
	case ea == effectFor && eb == effectAgainst:
		return claimResult{verdictConfirmed, nums}
	case ea == effectAgainst || eb == effectFor:
		return claimResult{verdictContradicted, nums}
	}
	return claimResult{verdictInconclusive, nums}
}

// claimSimpleDot judges claim 3.
func claimSimpleDot(in claimInput) claimResult {
	inS := func(r Row) bool { return r.Network == "multiply_simple" && r.Task == "dot" && in.informative(r) }
	s := fixedCellsRate(in.rows, in.target, inS)
	nums := fmt.Sprintf("S = %s. Strict metric: %s.", formatRate(s), strictRate(filterRows(in.rows, inS), in.target)) + unreachableAtLeast(s, almostAll)
	return rateClaim(s, s.atLeast(almostAll), nums)
}

// runsToShowAtLeast is the fewest runs whose Wilson interval, all of them
// successes, lies at or above threshold (< 1): 35 for 0.9.
func runsToShowAtLeast(threshold float64) int {
	n := 1
	for lo, _ := wilson(n, n); lo < threshold; lo, _ = wilson(n, n) {
		n++
	}
	return n
}

// unreachableAtLeast says, when ri has too few runs for any outcome to show
// the rate at or above threshold, that the rule cannot confirm on them;
// "" otherwise.
func unreachableAtLeast(ri rateInterval, threshold float64) string {
	need := runsToShowAtLeast(threshold)
	if ri.Runs == 0 || ri.Runs >= need {
		return ""
	}
	return fmt.Sprintf(" With %d runs this reading cannot come out at or above %s whatever they show: a Wilson interval lies there only from %d runs, all successes.",
		ri.Runs, formatFloat(threshold), need)
}

// rateClaim turns a rate's reading into a verdict: for confirms, against
// contradicts, no runs is no data.
func rateClaim(ri rateInterval, effect, nums string) claimResult {
	switch {
	case ri.Runs == 0:
		return claimResult{verdictNoData, nums}
	case effect == effectFor:
		return claimResult{verdictConfirmed, nums}
	case effect == effectAgainst:
		return claimResult{verdictContradicted, nums}
	}
	return claimResult{verdictInconclusive, nums}
}

// claimReduceSumHard judges claim 4.
func claimReduceSumHard(in claimInput) claimResult {
	var parts []string
	verdict := verdictConfirmed
	for _, net := range []string{"multiply", "multiply_simple"} {
		keep := func(r Row) bool { return r.Network == net && r.Task == "reduce_sum" && r.Dataset != "one_hot" }
		f := fixedCellsRate(in.rows, in.target, keep)
		parts = append(parts, fmt.Sprintf("F(%s) = %s, strict metric %s", net, formatRate(f), strictRate(filterRows(in.rows, keep), in.target)))
		switch e := f.atLeast(0.5); {
		case f.Runs == 0:
			verdict = verdictNoData
		case e == effectFor && verdict != verdictNoData:
			verdict = verdictContradicted
		case e == effectUnclear && verdict == verdictConfirmed:
			verdict = verdictInconclusive
		}
	}
	return claimResult{verdict, strings.Join(parts, "; ") + "."}
}

// claimOneHotMostly judges claim 5.
func claimOneHotMostly(in claimInput) claimResult {
	var names, effects []string
	for _, n := range networks {
		ri := fixedCellsRate(in.rows, in.target, func(r Row) bool { return r.Network == n.Name && r.Dataset == "one_hot" && in.informative(r) })
		if ri.Runs > 0 {
			names, effects = append(names, n.Name), append(effects, ri.atLeast(0.5))
		}
	}
	do, dont, unclear := byEffect(names, effects)
	n := len(do) + len(dont) + len(unclear)
	cells := map[[2]string]bool{}
	for _, r := range in.rows {
		if r.Dataset == "one_hot" && in.informative(r) {
			cells[[2]string{r.Task, r.Dataset}] = true
		}
	}
	nums := fmt.Sprintf("On %d informative one_hot cells: %d of %d networks do, %d %s not, %d unclear.", len(cells), len(do), n, len(dont),
		agree(len(dont), "does", "do"), len(unclear))
	if len(dont) > 0 {
		nums += " Do not: " + listSome(dont, 8) + "."
	}
	nums += oneHotBaselines(in)
	switch {
	case n == 0:
		return claimResult{verdictNoData, nums}
	case 2*len(do) > n:
		return claimResult{verdictConfirmed, nums}
	case 2*len(dont) >= n:
		return claimResult{verdictContradicted, nums}
	}
	return claimResult{verdictInconclusive, nums}
}

// oneHotBaselines says how close to the target a constant already comes on
// claim 5's runs (the informative one_hot runs), so that a success there
// is read with the lift it needed, and gives their strict metric.
func oneHotBaselines(in claimInput) string {
	rows := filterRows(in.rows, func(r Row) bool { return r.Dataset == "one_hot" && in.informative(r) })
	if len(rows) == 0 || in.bestTrivial == nil {
		return ""
	}
	var sum float64
	lowest := math.Inf(1)
	var n int
	for _, r := range rows {
		if b, ok := in.bestTrivial(r); ok {
			sum, lowest, n = sum+b, min(lowest, b), n+1
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" On these runs the best trivial predictor already scores %s on average (the lowest %s), so a success there can be a lift of under a point. "+
		"Strict metric on them, every network: %s.", pct(sum/float64(n)), pct(lowest), strictRate(rows, in.target))
}

// claimActivationRange reports claim 6, untestable, as an implementation
// check: the mismatch runs and any that passed.
func claimActivationRange(in claimInput) claimResult {
	var fails tally
	var passed []string
	for _, r := range in.rows {
		spec := networkOf(r)
		if spec.Type != typeDense {
			continue
		}
		mismatch := false
		for _, act := range boundedActivations {
			mismatch = mismatch || (act.Name == spec.Activation && in.outside(r, act.Name) > 0.01)
		}
		if !mismatch {
			continue
		}
		ok := r.succeeded(in.target)
		fails.add(!ok)
		if ok {
			passed = append(passed, r.Key())
		}
	}
	nums := fmt.Sprintf("Implementation check: %d mismatch runs, %d of them failed.", fails.n, fails.k)
	if len(passed) > 0 {
		nums += fmt.Sprintf(" Mismatch runs that passed, which should be impossible: %s.", listSome(passed, 5))
	}
	return claimResult{verdictUntestable, nums}
}

// claimResidualWorse judges claim 7.
func claimResidualWorse(in claimInput) claimResult {
	type key struct {
		At         place
		Depth      int
		Activation string
	}
	plain, residual := map[key]Row{}, map[key]Row{}
	var order []key
	for _, r := range in.rows {
		spec := networkOf(r)
		if !in.informative(r) || (spec.Depth != 2 && spec.Depth != 3) {
			continue
		}
		k := key{place{r.Task, r.Dataset, r.Seed}, spec.Depth, spec.Activation}
		switch spec.Type {
		case typeDense:
			plain[k] = r
			order = append(order, k)
		case typeDenseResidual:
			residual[k] = r
		}
	}
	var pairs []runPair
	for _, k := range order {
		if q, ok := residual[k]; ok {
			pairs = append(pairs, runPair{k.At, plain[k], q})
		}
	}
	slices.SortStableFunc(pairs, func(a, b runPair) int {
		return cmp.Or(cmp.Compare(a.At.Task, b.At.Task), cmp.Compare(a.At.Dataset, b.At.Dataset))
	})
	c := comparePairs(pairs, in.target)
	c.A, c.B = "plain", "residual"
	plainRows := func(r Row) bool {
		spec := networkOf(r)
		return in.informative(r) && spec.Type == typeDense && spec.Depth >= 2
	}
	residualRows := func(r Row) bool { return in.informative(r) && networkOf(r).Type == typeDenseResidual }
	nums := fmt.Sprintf("%d paired runs: plain %s, residual %s; plain minus residual %s; only plain succeeded in %d, only residual in %d (McNemar p = %.3g, "+
		"counting runs as independent; by cell, %s). Paired accuracy: plain higher in %d, residual higher in %d (sign test p = %.3g). "+
		"Strict metric, informative runs of depth 2 and 3: plain %s, residual %s.",
		c.Pairs, pct(c.RateA), pct(c.RateB), c.diffText(), c.OnlyA, c.OnlyB, c.McNemarP, c.cellsText(), c.HigherA, c.HigherB, c.SignP,
		strictRate(filterRows(in.rows, plainRows), in.target), strictRate(filterRows(in.rows, residualRows), in.target))
	switch {
	case c.Pairs == 0:
		return claimResult{verdictNoData, nums}
	case c.effect() == effectFor:
		return claimResult{verdictConfirmed, nums}
	case c.effect() == effectAgainst:
		return claimResult{verdictContradicted, nums}
	}
	return claimResult{verdictInconclusive, nums}
}

// xorGaps returns, per network and seed, the gap closed (claimInput.gapClosed)
// on many_hot by logical_and, logical_or and logical_xor, in that order,
// for the seeds that have all three.
func xorGaps(in claimInput) map[string]map[uint64][3]float64 {
	logical := []string{"logical_and", "logical_or", "logical_xor"}
	gaps := map[string]map[uint64]*[3]float64{} // network -> seed -> g per task
	have := map[string]map[uint64]int{}         // network -> seed -> bit i set when task i is there
	for _, r := range in.rows {
		i := slices.Index(logical, r.Task)
		g, ok := in.gapClosed(r)
		if r.Dataset != "many_hot" || i < 0 || !ok {
			continue
		}
		if gaps[r.Network] == nil {
			gaps[r.Network], have[r.Network] = map[uint64]*[3]float64{}, map[uint64]int{}
		}
		if gaps[r.Network][r.Seed] == nil {
			gaps[r.Network][r.Seed] = &[3]float64{}
		}
		gaps[r.Network][r.Seed][i] = g
		have[r.Network][r.Seed] |= 1 << i
	}
	complete := map[string]map[uint64][3]float64{}
	for n, bySeed := range gaps {
		for seed, g := range bySeed {
			if have[n][seed] == 7 {
				if complete[n] == nil {
					complete[n] = map[uint64][3]float64{}
				}
				complete[n][seed] = *g
			}
		}
	}
	return complete
}

// xorTest counts, for one network, the seeds where XOR's gap closed is
// below (harder) and above (easier) that of other, AND or OR.
type xorTest struct {
	network, other string
	harder, easier int
}

// claimXorHardest judges claim 8.
func claimXorHardest(in claimInput) claimResult {
	gaps := xorGaps(in)
	var tests []xorTest
	var networksJudged int
	for _, n := range paperNetworks {
		if len(gaps[n.Name]) == 0 {
			continue
		}
		and, or := xorTest{network: n.Name, other: "AND"}, xorTest{network: n.Name, other: "OR"}
		for _, g := range gaps[n.Name] {
			and.harder, and.easier = and.harder+b2i(g[2] < g[0]), and.easier+b2i(g[2] > g[0])
			or.harder, or.easier = or.harder+b2i(g[2] < g[1]), or.easier+b2i(g[2] > g[1])
		}
		networksJudged++
		tests = append(tests, and, or)
	}
	ps := make([]float64, len(tests))
	for i, t := range tests {
		ps[i] = signTestP(t.harder, t.easier)
	}
	adjusted := holm(ps)
	hardestFor := map[string]int{}
	var easier []string
	for i, t := range tests {
		if t.harder > t.easier && ps[i] < significance {
			hardestFor[t.network]++
		}
		if t.easier > t.harder && adjusted[i] < significance {
			easier = append(easier, fmt.Sprintf("%s (XOR easier than %s in %d of %d seeds)", t.network, t.other, t.easier, t.easier+t.harder))
		}
	}
	hardest := 0
	for _, k := range hardestFor {
		hardest += b2i(k == 2)
	}
	nums := fmt.Sprintf("XOR is shown hardest for %d of %d networks with all three tasks on many_hot.", hardest, networksJudged)
	if len(easier) > 0 {
		nums += " Shown easier for: " + listSome(easier, 8) + "."
	}
	nums += xorReach(gaps, len(tests)) + xorStrict(in)
	switch {
	case networksJudged == 0:
		return claimResult{verdictNoData, nums}
	case len(easier) > 0:
		return claimResult{verdictContradicted, nums}
	case hardest == networksJudged:
		return claimResult{verdictConfirmed, nums}
	}
	return claimResult{verdictInconclusive, nums}
}

// seedsToShow is the fewest seeds, all pointing one way, whose exact
// two-sided sign test reaches p < significance after Holm's correction
// over m tests (m = 1: unadjusted): the smallest p of n seeds is 2^(1-n).
func seedsToShow(m int) int {
	n := 1
	for float64(m)*math.Pow(2, float64(1-n)) >= significance {
		n++
	}
	return n
}

// xorReach says what claim 8's rule can show with the seeds at hand: XOR
// hardest for a network needs seedsToShow(1) seeds, easier under Holm over
// the m comparisons seedsToShow(m); "" when the seeds suffice for both.
func xorReach(gaps map[string]map[uint64][3]float64, m int) string {
	most := 0
	for _, bySeed := range gaps {
		most = max(most, len(bySeed))
	}
	var out string
	if hard := seedsToShow(1); most < hard {
		out += fmt.Sprintf(" With at most %d seeds a network, XOR cannot be shown hardest for any: that needs %d seeds.", most, hard)
	}
	if easy := seedsToShow(m); most < easy {
		out += fmt.Sprintf(" With at most %d seeds a network, XOR cannot be shown easier for any (Holm over %d comparisons): that needs %d seeds, all pointing that way; "+
			"so this rule cannot contradict the claim with these seeds.", most, m, easy)
	}
	return out
}

// xorStrict gives the strict metric's success rates of the three logical
// tasks on many_hot, over every network's runs.
func xorStrict(in claimInput) string {
	var parts []string
	for _, task := range []string{"logical_and", "logical_or", "logical_xor"} {
		rows := filterRows(in.rows, func(r Row) bool { return r.Task == task && r.Dataset == "many_hot" })
		parts = append(parts, fmt.Sprintf("%s %s", task, strictRate(rows, in.target)))
	}
	return " Strict metric on many_hot, every network: " + strings.Join(parts, ", ") + "."
}

// judgeClaims returns the verdicts of the eight claims on the study's rows.
func judgeClaims(s *study) [8]claimResult {
	paper := filterRows(s.analysed, func(r Row) bool { return inPaperGrid(r.Task, r.Network) }) // the article's claims: its networks and tasks only
	in := claimInput{rows: paper, target: s.target, informative: s.informative, gapClosed: s.gapClosed, outside: s.outsideRange,
		bestTrivial: func(r Row) (float64, bool) {
			b, ok := s.rowBaseline(r)
			return b.best(), ok
		}}
	return [8]claimResult{
		claimMultiplyBest(in),
		claimMultiplyAlmostEverywhere(in),
		claimSimpleDot(in),
		claimReduceSumHard(in),
		claimOneHotMostly(in),
		claimActivationRange(in),
		claimResidualWorse(in),
		claimXorHardest(in),
	}
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:n], "; "), len(items)-n)
}
