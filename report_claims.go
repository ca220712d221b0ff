// report_claims.go: the report's counting and the article's eight claims.
// Tallies of successes per network and per cell, the Wilson interval, and
// one judge per claim: a pure function of the rows (and, for two claims,
// of the trivial baselines), under a rule fixed before any result was seen.
// It knows nothing about Markdown or SVG, nor about how a network trains.
package main

import (
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
		"Plain dense networks with activation " + boundedRanges() + " (applied on the output layer too). " +
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
			b.add(r.succeeded(target))
		} else {
			a.add(r.succeeded(target))
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
			s.add(r.succeeded(target))
		}
	}
	return allOrHalf(s, fmt.Sprintf("S = %s.", s))
}

// claimReduceSumHard judges claim 4 on rows.
func claimReduceSumHard(rows []Row, target float64) claimResult {
	var f tally
	for _, r := range rows {
		multiply := r.Network == "multiply" || r.Network == "multiply_simple"
		if isAnalysed(r) && multiply && r.Task == "reduce_sum" && r.Dataset != "one_hot" {
			f.add(r.succeeded(target))
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
		ok := r.succeeded(target)
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
		spec := networkOf(r)
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
		ok := r.succeeded(target)
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
		spec := networkOf(r)
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
		d.add(p.succeeded(target))
		res.add(q.succeeded(target))
		switch pa, qa := p.testAccuracy(), q.testAccuracy(); {
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
		per[r.Network].acc[i] += r.testAccuracy()
		per[r.Network].n[i]++
	}
	var h tally
	var notHardest []string
	for _, spec := range networks {
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
	return allOrHalf(h, nums)
}

// allOrHalf is the rule of claims 3 and 8 on the tally t: confirmed if all
// of it succeeded, partly if at least half, not confirmed otherwise; no
// data when it is empty. nums are the numbers behind the verdict.
func allOrHalf(t tally, nums string) claimResult {
	switch {
	case t.n == 0:
		return claimResult{verdictNoData, nums}
	case t.k == t.n:
		return claimResult{verdictConfirmed, nums}
	case t.atLeast(1, 2):
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
