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

// writeStatus writes the title, whether the paper grid is complete, what
// the report was made from, and the protocol; then the rows set aside.
func writeStatus(b *strings.Builder, s *study) {
	b.WriteString("# Which small networks learn which operations: reproduction report\n\n")
	perSeed := paperGridSize()
	done := map[string]bool{}
	for _, r := range s.analysed {
		done[r.Key()] = true
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
			"Every number below covers only the experiments run so far; run the study again to finish it.\n\n",
			thousands(len(done)), thousands(want), joinSeeds(s.seeds), errNote)
	}
	fmt.Fprintf(b, "Made by `go run . report` from `%s` alone (%d rows", s.path, len(s.rows))
	if s.invocations != nil {
		fmt.Fprintf(b, ") and its run log `%s`", runsLogName)
	} else {
		b.WriteString(")")
	}
	fmt.Fprintf(b, ". The paper grid is the %d analysed (task, dataset) pairs times the %d networks, %s experiments per seed. ",
		perSeed/len(networks), len(networks), thousands(perSeed))
	b.WriteString("A run is one experiment with one seed; it succeeds when its test accuracy is at least " + formatFloat(s.target) +
		"; a run that ended in an error counts as a failure with accuracy 0. Percentages are rounded down.\n\n")
	paper := paperProtocol().String()
	if len(s.protocols) == 1 && s.protocols[0] == paper {
		b.WriteString("Protocol: the paper's (PROTOCOL.md).\n\n")
	} else {
		fmt.Fprintf(b, "Protocol: **not the paper's** (PROTOCOL.md); the rows were made under `%s`, the paper's is `%s` (any seeds). "+
			"Its numbers are not those the full protocol would give.\n\n", strings.Join(s.protocols, "`, `"), paper)
	}
	writeSetAside(b, s)
}

// writeSetAside notes the rows set aside (a torn line, repeats, rows of
// excluded pairs) and lists the experiments that failed with an error.
func writeSetAside(b *strings.Builder, s *study) {
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
	if missing := len(networks) - len(ranked); missing > 0 {
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
	rows = nil
	for _, l := range networkLifts(s) {
		lf := "–"
		if l.success.n > 0 {
			lf = fmt.Sprintf("%+.1f pp", 100*l.mean())
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
				perSeed[r.Seed].Success.add(r.succeeded(s.target))
				perSeed[r.Seed].AccSum += r.testAccuracy()
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
- All %d tasks (the article lists 10) and all %d networks (the article reports 23) are in the grid.

`, thousands(p.TestSize), thousands(p.ValSize), thousands(max(oneHotDomain-p.ValSize-p.TestSize, 0)), len(tasks), len(networks))
	writeThisStudy(b, s)
}

// writeThisStudy writes the facts of the study behind the results: the
// commands, machines and kernels from the run log, the totals of the rows,
// and the log's invocations.
func writeThisStudy(b *strings.Builder, s *study) {
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
		for _, r := range s.invocations {
			total += r.WallSeconds
		}
		wallText = fmt.Sprintf("%s, summed over %s (from %s)", formatDuration(time.Duration(total*float64(time.Second))), plural(len(s.invocations), "invocation"), runsLogName)
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
	if len(s.invocations) > 0 {
		writeInvocations(b, s.invocations)
	}
}

// writeInvocations lists the invocations of the run log.
func writeInvocations(b *strings.Builder, invocations []Invocation) {
	var rows [][]string
	for _, r := range invocations {
		rows = append(rows, []string{r.Started.Format("2006-01-02 15:04"), "`" + r.Command + "`", strconv.Itoa(r.Workers),
			strconv.Itoa(r.Ran), formatDuration(time.Duration(r.WallSeconds * float64(time.Second))), strconv.FormatBool(r.Interrupted)})
	}
	b.WriteString("Invocations:\n\n")
	mdTable(b, []string{"started", "command", "workers", "experiments run", "wall time", "interrupted"}, rows)
}
