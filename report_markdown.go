// report_markdown.go: report.md, section by section, from a loaded study:
// the status, the summary per network, the heat maps' section, the
// baselines, the claims' verdicts, the spread over seeds and how this study
// differs from the original. It only formats what report.go,
// report_claims.go and report_baselines.go compute.
package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

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

// agree returns one when n is 1 and many otherwise: the verb that agrees
// with a count ("is"/"are", "was"/"were").
func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural returns "1 row" or "n rows", n with thousands separators.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
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
	writeUnitsSection(&b, s)  // the units beyond the article and extrapolation, if any ran (report_units.go)
	writeReplaySection(&b, s) // the 2018 replay folders beside this one, if any (report_replay.go)
	return b.String()
}

// writeStatus writes the title, whether the paper grid is complete, what
// the report was made from, and the protocol; then the rows set aside.
func writeStatus(b *strings.Builder, s *study) {
	b.WriteString("# Which small networks learn which operations: reproduction report\n\n")
	perSeed := paperGridSize()
	done := map[string]bool{}
	for _, r := range slices.Concat(s.analysed, s.dropped) {
		if inPaperGrid(r.Task, r.Network) {
			done[r.Key()] = true
		}
	}
	want := perSeed * len(s.seeds)
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
	if len(s.seeds) > 1 {
		seedWord = "seeds"
	}
	if len(done) == want {
		fmt.Fprintf(b, "**Status: complete**: all %s experiments of the paper grid for %s %s%s.\n\n", thousands(want), seedWord, joinSeeds(s.seeds), errNote)
	} else {
		fmt.Fprintf(b, "**Status: INCOMPLETE: %s of %s experiments of the paper grid for seed(s) %s%s.** "+
			"Every number below covers only the experiments in the file%s\n\n",
			thousands(len(done)), thousands(want), joinSeeds(s.seeds), errNote, selectionNote(s))
	}
	if n := len(s.invocations); n > 0 && s.invocations[n-1].Running {
		fmt.Fprintf(b, "A run into this folder is under way (`%s`, %s selected): this report covers the rows written so far.\n\n",
			s.invocations[n-1].Command, thousands(s.invocations[n-1].Selected))
	} else if n > 0 && s.invocations[n-1].Interrupted && s.invocations[n-1].Selected > len(s.rows) {
		last := s.invocations[n-1]
		fmt.Fprintf(b, "The last run into this folder (`%s`) was stopped with %s of the experiments it selected still to do (%s selected; the file holds %s); "+
			"the same command continues it.\n\n", last.Command, thousands(last.Selected-len(s.rows)), thousands(last.Selected), plural(len(s.rows), "row"))
	}
	fmt.Fprintf(b, "Made by `go run . report` from `%s` alone (%s", s.path, plural(len(s.rows), "row"))
	if s.invocations != nil {
		fmt.Fprintf(b, ") and its run log `%s`", runsLogName)
	} else {
		b.WriteString(")")
	}
	fmt.Fprintf(b, ". The paper grid is the %d analysed (task, dataset) pairs times the %d networks, %s experiments per seed. ",
		perSeed/len(paperNetworks), len(paperNetworks), thousands(perSeed))
	b.WriteString("A run is one experiment with one seed; it succeeds when its test accuracy is at least " + formatFloat(s.target) +
		"; a run that ended in an error counts as a failure with accuracy 0. Percentages are rounded down, except the upper bound of an interval, rounded up, so that no interval is printed narrower than computed.\n\n")
	paper := paperProtocol().String()
	if len(s.protocols) == 1 && s.protocols[0] == paper {
		b.WriteString("Protocol: the paper's (PROTOCOL.md).\n\n")
	} else {
		fmt.Fprintf(b, "Protocol: **not the paper's** (PROTOCOL.md); the rows were made under `%s`, the paper's is `%s` (any seeds). "+
			"Its numbers are not those the full protocol would give.\n\n", strings.Join(s.protocols, "`, `"), paper)
	}
	writeSetAside(b, s)
}

// selectionNote says which part of the paper grid the rows cover, when
// whole tasks, datasets or networks are absent (a deliberate selection, or
// a study still under way), and how to complete it.
func selectionNote(s *study) string {
	have := map[string]bool{}
	for _, r := range s.analysed {
		have["t:"+r.Task], have["d:"+r.Dataset], have["n:"+r.Network] = true, true, true
	}
	var ts, ds, ns []string
	for _, t := range paperTasks {
		if have["t:"+t.Name] {
			ts = append(ts, t.Name)
		}
	}
	for _, d := range datasetNames {
		if have["d:"+d] {
			ds = append(ds, d)
		}
	}
	for _, n := range paperNetworks {
		if have["n:"+n.Name] {
			ns = append(ns, n.Name)
		}
	}
	part := func(have []string, all int, what string) string {
		if len(have) == all {
			return fmt.Sprintf("all %d %s", all, what)
		}
		return fmt.Sprintf("%d of %d %s (%s)", len(have), all, what, listSome(have, 12))
	}
	note := "."
	if len(ts) < len(paperTasks) || len(ds) < len(datasetNames) || len(ns) < len(paperNetworks) {
		note = fmt.Sprintf(": %s, %s, %s.", part(ts, len(paperTasks), "tasks"), part(ds, len(datasetNames), "datasets"), part(ns, len(paperNetworks), "networks"))
	}
	return note + " Verdicts that rest on too few runs come out inconclusive or \"no data\" (section 4). " +
		"To complete the paper grid for these seeds, run the study with the same -out and no -tasks, -datasets or -networks: what is done is skipped."
}

// writeSetAside notes the rows set aside (a torn line, repeats, rows of
// excluded pairs) and lists the experiments that failed with an error.
func writeSetAside(b *strings.Builder, s *study) {
	if s.torn > 0 {
		fmt.Fprintf(b, "Note: the end of `%s` was incomplete (%d bytes of a row cut short, left by an interrupted write); it was ignored.\n\n", s.path, s.torn)
	}
	if s.duplicates > 0 {
		fmt.Fprintf(b, "Note: %s repeated an experiment already in the file; the first row of each experiment is used.\n\n", plural(s.duplicates, "row"))
	}
	if s.excluded > 0 {
		fmt.Fprintf(b, "Note: %s of excluded (task, dataset) pairs (run with -all) %s not analysed.\n\n", plural(s.excluded, "row"), agree(s.excluded, "is", "are"))
	}
	writeDropped(b, s)
	var failed [][]string
	for _, r := range s.rows {
		if r.Error != "" && r.Error != nanDropError {
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

// writeDropped notes the experiments the replay's nan-drop lost, per
// dataset: done, but left out of every statistic, as the original's
// missing cells were absent from its tables (all 9 on many_hot).
func writeDropped(b *strings.Builder, s *study) {
	if len(s.dropped) == 0 {
		return
	}
	perDataset := map[string]int{}
	for _, r := range s.dropped {
		perDataset[r.Dataset]++
	}
	var counts []string
	for _, d := range datasetNames {
		if n := perDataset[d]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", d, n))
		}
	}
	fmt.Fprintf(b, "Note: %s of analysed pairs %s dropped as the original dropped them (replay switch nan-drop: a trial's loss went NaN, "+
		"and the original's bare except lost the experiment); like its 9 missing cells (all on many_hot), they are left out of every statistic below. "+
		"Per dataset: %s. The original trained random, random_pos and one_hot in float64 and many_hot in float32; this replay trains all in float32, "+
		"so it can lose experiments of the first three that the original kept.\n\n",
		plural(len(s.dropped), "experiment"), agree(len(s.dropped), "was", "were"), strings.Join(counts, ", "))
}

// writeSummary writes section 1: each network's record, ranked on the
// informative runs, with the bar chart; then the best network against
// every other, run against run.
func writeSummary(b *strings.Builder, s *study) {
	b.WriteString("## 1. Summary per network\n\n")
	sums := summarize(s)
	fmt.Fprintf(b, "Ranked on the informative runs, those whose test set no trivial predictor passes (section 3): a success there shows that something was learned. "+
		"Success means test accuracy >= %s. The interval is a 95%% bootstrap interval that resamples (task, dataset) cells, then seeds within a cell. "+
		"The strict metric counts a run a success when at least %s of its test records have every element right. "+
		"Lift is accuracy minus the best trivial predictor's, in percentage points. Parameters are counted at output width %d.\n\n",
		formatFloat(s.target), formatFloat(s.target), paramWidth)
	var rows [][]string
	for i, n := range sums {
		ri := n.Informative
		rows = append(rows, []string{strconv.Itoa(i + 1), n.Name, thousands(n.Params), strconv.Itoa(ri.Runs),
			fmt.Sprintf("%s [%s, %s]", pct(ri.Rate), pct(ri.Lo), pctUp(ri.Hi)), pct(n.Strict.rate()), fmt.Sprintf("%+.1f", 100*n.MeanLift),
			fmt.Sprintf("%s (%d of %d)", pct(n.All.rate()), n.All.k, n.All.n), pct(n.MeanAccuracy)})
	}
	mdTable(b, []string{"rank", "network", "parameters", "informative runs", "success rate [95%]", "strict success rate", "mean lift",
		"success, all runs", "mean accuracy, all runs"}, rows)
	missing := len(paperNetworks)
	for _, n := range sums {
		missing -= b2i(isPaperNetwork(n.Name))
	}
	if missing > 0 {
		fmt.Fprintf(b, "Networks with no runs yet: %d.\n\n", missing)
	}
	fmt.Fprintf(b, "![Success rate per network](%s)\n\n", summarySVGName)
	writeAgainstOthers(b, s, sums, 0)
	for i, n := range sums { // the article's network, for claim 1, if it is not the best
		if n.Name == "multiply" && i > 0 {
			writeAgainstOthers(b, s, sums, i)
		}
	}
}

// writeAgainstOthers writes the table of the network ranked i-th (0: the
// best) against every other, paired run against run, with Holm's
// correction.
func writeAgainstOthers(b *strings.Builder, s *study, sums []networkSummary, i int) {
	if len(sums) < 2 || sums[i].Informative.Runs == 0 {
		return
	}
	best := sums[i].Name
	var others []string
	for _, n := range sums {
		others = append(others, n.Name)
	}
	cs := compareAgainst(s.informativeRuns(), s.target, best, others)
	fmt.Fprintf(b, "### %s against every other network\n\n", best)
	fmt.Fprintf(b, "Paired over the informative places (task, dataset, seed) where both ran. McNemar: the places where only one of the two succeeded, "+
		"with the exact test's p-value and Holm's adjustment over these %s. Sign test: the places where one's accuracy is higher. "+
		"The difference is %s's success rate minus the other's, with its 95%% bootstrap interval (cells, then seeds). "+
		"Distinguishable: the interval excludes 0 and the adjusted p < %s, in the same direction. "+
		"McNemar and the sign test count places as independent, but the runs of one cell are not (a cell that one network learns and the other does not "+
		"tends to split the same way in every seed), so their p-values overstate the evidence when a few cells carry the discordance; "+
		"the bootstrap interval, which resamples cells, does not, and so does the cells column: one vote per cell whose paired seeds favour one network, "+
		"with the exact sign test.\n\n", plural(len(cs), "comparison"), best, formatFloat(significance))
	var rows [][]string
	var same []string
	for _, c := range cs {
		dist := "no"
		if c.distinguishable() {
			dist = "yes"
		} else {
			same = append(same, c.B)
		}
		rows = append(rows, []string{c.B, strconv.Itoa(c.Pairs), c.diffText(),
			fmt.Sprintf("%d : %d", c.OnlyA, c.OnlyB), fmt.Sprintf("%.3g", c.McNemarP), fmt.Sprintf("%.3g", c.HolmP),
			fmt.Sprintf("%d : %d, p = %.3g", c.HigherA, c.HigherB, c.SignP), c.cellsText(), dist})
	}
	mdTable(b, []string{"other network", "paired places", "difference [95%]", "only " + best + " : only other", "McNemar p", "Holm p",
		"higher accuracy (" + best + " : other)", "cells favouring (" + best + " : other)", "distinguishable"}, rows)
	if len(same) > 0 {
		fmt.Fprintf(b, "On these runs %s cannot be told apart from: %s.\n\n", best, strings.Join(same, ", "))
	} else {
		fmt.Fprintf(b, "On these runs %s is distinguishable from every other network.\n\n", best)
	}
}

// writeHeatmaps writes section 2: the four heat maps.
func writeHeatmaps(b *strings.Builder, s *study) {
	b.WriteString("## 2. Accuracy per task and network, one map per dataset\n\n")
	if len(s.seeds) > 1 {
		b.WriteString("Each cell is a (task, network) on the dataset: its mean test accuracy over seeds in percent, rounded down, " +
			"and below it how many seeds succeeded (k/n); a mean of 99 or more can hide a seed that failed, so read success from k/n")
	} else {
		b.WriteString("Each cell is a (task, network) on the dataset: its test accuracy in percent, rounded down (so 99 or more is a success)")
	}
	b.WriteString(". The colour scale is -log10(1 - accuracy), so that 90%, 95%, 98%, 99% and 100% look different. " +
		"A gold outline: every seed succeeded; dashed: some seeds did, not all. Grey, struck through: a trivial predictor already reaches the target on " +
		"every test set of the row (section 3), so a success there shows nothing; a task marked * has some such test sets, whose runs are not informative. " +
		"Hatched: an excluded pair. A dash: not run.\n\n")
	ran := map[string]bool{}
	for _, r := range s.analysed {
		ran[r.Dataset] = true
	}
	for _, d := range datasetNames {
		if ran[d] {
			fmt.Fprintf(b, "### %s\n\n![Accuracy on %s](%s)\n\n", d, d, heatmapName(d))
		} else {
			fmt.Fprintf(b, "### %s\n\nNo runs on %s.\n\n", d, d)
		}
	}
}

// writeBaselines writes section 3: the trivial predictors on each analysed
// pair, and each network's lift over them where they fail.
func writeBaselines(b *strings.Builder, s *study) {
	b.WriteString("## 3. Trivial baselines\n\n")
	fmt.Fprintf(b, "Three predictors that learn nothing, measured with the same metric on the same test sets: all zeros; a constant equal to "+
		"the mean label of each output element over the training records; and, per output element, the constant that the most training labels lie "+
		"within the metric's tolerance of (the best constant for this metric; one_hot: all training pairs; the other datasets: "+
		"the first %s usable training records). Where the best of them reaches %s on a test set, the runs on it are trivially passable: "+
		"the metric cannot tell a network that solved the task from one that learned a constant; the other runs are the informative ones. ", thousands(baselineTrainRecords), formatFloat(s.target))
	if len(s.splits) > 1 {
		fmt.Fprintf(b, "Accuracies are means over the %d test sets (seeds and sizes) of the runs; *best* is the mean of each test set's best, "+
			"which can exceed every other column when different predictors win on different test sets.", len(s.splits))
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
			if pb.Passable.n == 0 {
				continue // not run, or its test sets could not be generated (noted above)
			}
			passable := "no"
			switch {
			case pb.Passable.k == pb.Passable.n:
				passable = "yes"
			case pb.Passable.k > 0:
				passable = fmt.Sprintf("on %d of %d test sets", pb.Passable.k, pb.Passable.n)
			}
			rows = append(rows, []string{t.Name, d, pct(pb.Zeros), pct(pb.Mean), pct(pb.BestConst), pct(pb.Best), passable})
		}
	}
	mdTable(b, []string{"task", "dataset", "all zeros", "training mean", "best constant", "best", "trivially passable"}, rows)
	b.WriteString("Pairs with no runs are not shown. Each network's lift over the best of them, on the informative runs, is in section 1.\n\n")
}

// writeClaims writes section 4: each claim's verdict, numbers and rule.
func writeClaims(b *strings.Builder, s *study) {
	b.WriteString("## 4. The article's claims\n\n")
	b.WriteString("Each claim is judged by a rule fixed in code and printed below. The rules were not written blind: the first two seeds' results were known " +
		"(they are why the rules exist), and one was amended while seeds 3 to 10 ran, for a reason that does not depend on the outcome " +
		"(claim 8's g was made to stay in [0, 1]; a run below the best constant had counted as closing a negative share of the gap). " +
		"None was chosen or changed to make a claim come out either way. Where a rule cannot reach an outcome with the runs at hand, its numbers say so. " +
		"A claim is **confirmed** only when the effect it states is shown beyond chance in its direction (a 95% interval that excludes no effect, " +
		"and where the rule says so a test with p < 0.05), **contradicted** when the opposite effect is, and **inconclusive** otherwise: " +
		"with few seeds, a verdict that rests on a handful of runs near the 0.99 line comes out inconclusive. " +
		"Claims that compare networks are judged on the informative runs (section 3). A run that ended in an error counts as a failure.\n\n")
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
	fmt.Fprintf(b, "Seeds %s. Each network's success rate and mean accuracy over all its analysed runs, and the lowest and highest of the same "+
		"taken seed by seed: how much one seed's study can differ from another's. The lowest and highest cover only the seeds with as many runs of the network "+
		"as its best-covered seed (a seed still running would compare fewer cells). (Section 1 gives intervals for a network's rate on its informative runs; "+
		"this section counts all its analysed runs.)\n\n", joinSeeds(s.seeds))
	var rows [][]string
	for _, n := range rankNetworks(networkStats(s.analysed, s.target)) {
		perSeed := map[uint64]*networkStat{}
		for _, r := range s.analysed {
			if r.Network == n.Name {
				if perSeed[r.Seed] == nil {
					perSeed[r.Seed] = &networkStat{}
				}
				perSeed[r.Seed].Success.add(r.succeeded(s.target))
				perSeed[r.Seed].AccSum += r.testAccuracy()
			}
		}
		full := 0
		for _, st := range perSeed {
			full = max(full, st.Success.n)
		}
		minAcc, maxAcc, minRate, maxRate := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, st := range perSeed {
			if st.Success.n < full {
				continue
			}
			minAcc, maxAcc = min(minAcc, st.meanAccuracy()), max(maxAcc, st.meanAccuracy())
			minRate, maxRate = min(minRate, st.Success.rate()), max(maxRate, st.Success.rate())
		}
		rows = append(rows, []string{n.Name, strconv.Itoa(n.Success.n), pct(n.Success.rate()), pct(minRate), pct(maxRate),
			pct(n.meanAccuracy()), pct(minAcc), pct(maxAcc)})
	}
	mdTable(b, []string{"network", "runs", "success rate", "lowest seed", "highest seed", "mean accuracy", "lowest seed", "highest seed"}, rows)
	writeCells(b, s)
}

// writeCells writes the per-cell table: for every (task, dataset, network)
// with runs, its successes k of n seeds with a Wilson interval over the
// seeds (the cell is fixed, the seed is the random part), and its mean
// accuracy with the lowest and highest.
func writeCells(b *strings.Builder, s *study) {
	type cell struct {
		success  tally
		sum      float64
		min, max float64
	}
	cells := map[cellID]*cell{}
	for _, r := range s.analysed {
		id := cellID{r.Task, r.Dataset, r.Network}
		c := cells[id]
		if c == nil {
			c = &cell{min: math.Inf(1), max: math.Inf(-1)}
			cells[id] = c
		}
		acc := r.testAccuracy()
		c.success.add(r.succeeded(s.target))
		c.sum += acc
		c.min, c.max = min(c.min, acc), max(c.max, acc)
	}
	var rows [][]string
	for _, t := range tasks {
		for _, d := range datasetNames {
			for _, n := range networks {
				c := cells[cellID{t.Name, d, n.Name}]
				if c == nil {
					continue
				}
				lo, hi := wilson(c.success.k, c.success.n)
				trivial := ""
				if s.trivialPair(t.Name, d) {
					trivial = "trivially passable"
				}
				rows = append(rows, []string{t.Name, d, n.Name, fmt.Sprintf("%d of %d", c.success.k, c.success.n),
					fmt.Sprintf("%s – %s", pct(lo), pctUp(hi)), pct(c.sum / float64(c.success.n)), pct(c.min), pct(c.max), trivial})
			}
		}
	}
	fmt.Fprintf(b, "<details><summary>Every cell: successes of its seeds with a Wilson 95%% interval, mean accuracy and its range (%d cells)</summary>\n\n", len(rows))
	mdTable(b, []string{"task", "dataset", "network", "successes", "Wilson 95%", "mean accuracy", "lowest", "highest", "note"}, rows)
	b.WriteString("</details>\n\n")
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
- All %d tasks (the article lists 10) and all %d networks (the article reports 23) are in the grid.

`, thousands(p.TestSize), thousands(p.ValSize), thousands(max(oneHotDomain-p.ValSize-p.TestSize, 0)), len(paperTasks), len(paperNetworks))
	if p.Replay != 0 {
		fmt.Fprintf(b, "**These rows replay the original's behaviour** with the switches %s (README, \"Replaying the original\"): "+
			"where a difference above is one of those switches, these rows do as the original did, not as the list says.\n\n",
			strings.ReplaceAll(p.Replay.String(), "+", ", "))
	}
	writeThisStudy(b, s)
}

// writeThisStudy writes the facts of the study behind the results: the
// commands, machines and kernels from the run log, the totals of the rows,
// and the log's invocations.
func writeThisStudy(b *strings.Builder, s *study) {
	b.WriteString("### This run\n\n")
	var diverged, errs, confirmed, rejected int
	var wall float64
	for _, r := range s.rows {
		diverged += r.DivergedTrials
		confirmed += r.ChecksConfirmed
		rejected += r.ChecksRejected
		wall += r.WallSeconds
		if r.Error != "" {
			errs++
		}
	}
	notRecorded := "not recorded (no " + runsLogName + ")"
	commands, goVersions, cpus, kernels, workers := notRecorded, notRecorded, notRecorded, notRecorded, notRecorded
	wallText := fmt.Sprintf("%s (sum of the experiments' own wall times; with several workers the study took less)",
		formatDuration(time.Duration(wall*float64(time.Second))))
	if len(s.invocations) > 0 {
		distinct := func(get func(Invocation) string) string {
			var out []string
			for _, r := range s.invocations {
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
		killed, running := 0, 0
		for _, r := range s.invocations {
			total += r.WallSeconds
			switch {
			case r.Killed:
				killed++
			case r.Running:
				running++
			}
		}
		wallText = fmt.Sprintf("%s, summed over %s (from %s)", formatDuration(time.Duration(total*float64(time.Second))),
			plural(len(s.invocations)-killed-running, "invocation"), runsLogName)
		if killed > 0 {
			wallText += fmt.Sprintf(", and %s killed before it could record its wall time (any rows it wrote are in the file)", plural(killed, "more invocation"))
		}
		if running > 0 {
			wallText += ", and one under way"
		}
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
		{"early-stopping checks", fmt.Sprintf("%s confirmed on the whole validation set (the training stopped); %s rejected "+
			"(the first %d validation records reached the target, the whole set did not, and training went on)",
			thousands(confirmed), thousands(rejected), evalBatch)},
		{"rows with errors", strconv.Itoa(errs)},
	})
	if len(s.invocations) > 0 {
		writeInvocations(b, s.invocations)
	}
}

// writeInvocations lists the invocations of the run log.
func writeInvocations(b *strings.Builder, invocations []Invocation) {
	var rows [][]string
	for _, r := range invocations {
		ran, wall, interrupted := strconv.Itoa(r.Ran), formatDuration(time.Duration(r.WallSeconds*float64(time.Second))), strconv.FormatBool(r.Interrupted)
		switch {
		case r.Killed:
			ran, wall, interrupted = "not recorded", "not recorded", "killed: no record at its end"
		case r.Running:
			ran, wall, interrupted = "under way", "under way", "running now"
		}
		rows = append(rows, []string{r.Started.Format("2006-01-02 15:04"), "`" + r.Command + "`", strconv.Itoa(r.Workers), ran, wall, interrupted})
	}
	b.WriteString("Invocations:\n\n")
	mdTable(b, []string{"started", "command", "workers", "experiments run", "wall time", "interrupted"}, rows)
}
