// report_units.go: the report's section on the networks beyond the
// article, the arithmetic units of units.go, and on extrapolation: each
// network's success in range and on every extrapolation set, the best unit
// per task family, the article's multiply against the units, the units'
// own papers' headlines on these tasks, and the extrapolation heat maps.
// It uses the paired statistics of report_paired.go on rows rewritten so
// that their accuracy is an extrapolation set's (extrapolatedRows); it
// knows nothing of how a network trains.
package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// taskFamily is a group of the paper's tasks that ask for one kind of
// operation, for the question "which unit is best at what".
type taskFamily struct {
	Name  string
	Tasks []string
}

// taskFamilies are the four families the units section compares in: sums,
// products, logic (bitwise operations and comparisons) and routing
// (copying or selecting inputs). Every paper task is in one family.
var taskFamilies = []taskFamily{
	{"sum", []string{"reduce_sum", "elementwise_add", "one_hot_sum"}},
	{"product", []string{"elementwise_mul", "dot"}},
	{"logic", []string{"logical_and", "logical_or", "logical_xor", "equality", "almost_equal"}},
	{"routing", []string{"concat", "reduce_max"}},
}

// unitHeadline is what a unit's paper says it does, as tasks of this
// study: the unit should learn them and extrapolate.
type unitHeadline struct {
	Unit, Paper, Claim string
	Tasks              []string
}

// unitHeadlines are the units' papers' headlines, each on the tasks of
// this study that are the operation the paper names exactly: a sum of
// selected inputs (reduce_sum, elementwise_add), a product of selected
// inputs (elementwise_mul), a sum of products (dot). The GLU variants claim
// no arithmetic and have none.
var unitHeadlines = []unitHeadline{
	{"nac", "Trask et al. 2018", "NAC learns addition and extrapolates it", []string{"reduce_sum", "elementwise_add"}},
	{"nalu", "Trask et al. 2018", "NALU learns addition and multiplication and extrapolates them", []string{"reduce_sum", "elementwise_add", "elementwise_mul"}},
	{"inalu", "Schlör et al. 2020", "iNALU learns addition and multiplication and extrapolates them", []string{"reduce_sum", "elementwise_add", "elementwise_mul"}},
	{"nau", "Madsen & Johansen 2020", "NAU learns addition and extrapolates it", []string{"reduce_sum", "elementwise_add"}},
	{"nmu", "Madsen & Johansen 2020", "NMU learns multiplication and extrapolates it", []string{"elementwise_mul"}},
	{"nau-nmu", "Madsen & Johansen 2020", "NAU over NMU learns a sum of products and extrapolates it", []string{"dot"}},
	{"realnpu", "Heim et al. 2020", "RealNPU learns products and extrapolates them", []string{"elementwise_mul"}},
}

// unitsWithoutSignal are the units whose published initialisation leaves
// the loss no gradient at this study's widths (the NMU's, see NMU in
// units.go): the section says so beside their results.
var unitsWithoutSignal = []string{"nmu", "nau-nmu"}

// unitAnchors are the article's networks a units study runs beside the
// units, to compare against.
var unitAnchors = []string{"multiply", "multiply_simple", "dense-1-linear"}

// outOfRange is the name the section gives the pooled extrapolation
// measure of a run: its lowest accuracy over the extrapolation sets of its
// dataset (a run succeeds out of range only if it succeeds on all of them).
const outOfRange = "out of range"

// extrapolatedRows returns rows rewritten to show their measure on
// extrapolation set i of extrapolationSets (i = -1: outOfRange, the lowest
// over the sets measured): accuracy and loss become the set's, the strict
// metric is unknown (NaN). Rows without the measure are left out, apart
// from runs that ended in an error on a dataset the set applies to, which
// stay failures.
func extrapolatedRows(rows []Row, i int) []Row {
	var out []Row
	for _, r := range rows {
		kind, err := parseDataset(r.Dataset)
		if err != nil {
			continue
		}
		applies, acc, loss := false, math.Inf(1), 0.0
		for j, set := range extrapolationSets {
			if (i >= 0 && j != i) || !set.appliesTo(kind) {
				continue
			}
			applies = true
			if m := r.Extrapolation[j]; !math.IsNaN(m.Accuracy) && m.Accuracy < acc {
				acc, loss = m.Accuracy, m.MSE
			}
		}
		switch {
		case !applies:
			continue
		case r.Error == "" && math.IsInf(acc, 1):
			continue // not measured: a row from before the sets existed
		case r.Error == "":
			r.Accuracy, r.Loss = acc, loss
		}
		r.RecordAccuracy = math.NaN()
		out = append(out, r)
	}
	return out
}

// unitNetworks returns the networks of the rows that are not the paper's
// (the units), in registry order.
func unitNetworks(rows []Row) []string {
	ran := map[string]bool{}
	for _, r := range rows {
		ran[r.Network] = true
	}
	var out []string
	for _, n := range networks[len(paperNetworks):] {
		if ran[n.Name] {
			out = append(out, n.Name)
		}
	}
	return out
}

// hasExtrapolation reports whether any row carries an extrapolation measure.
func hasExtrapolation(rows []Row) bool {
	return len(extrapolatedRows(filterRows(rows, func(r Row) bool { return r.Error == "" }), -1)) > 0
}

// writeUnitsSection writes the section on the units and extrapolation,
// when the study ran any unit; nothing otherwise.
func writeUnitsSection(b *strings.Builder, s *study) {
	units := unitNetworks(s.analysed)
	if len(units) == 0 {
		return
	}
	anchors := slices.DeleteFunc(slices.Clone(unitAnchors), func(n string) bool {
		return !slices.ContainsFunc(s.analysed, func(r Row) bool { return r.Network == n })
	})
	compared := append(slices.Clone(units), anchors...)
	b.WriteString("## Beyond the article: arithmetic units, in range and out of range\n\n")
	fmt.Fprintf(b, "The units built since the article (%s) ran on the analysed pairs beside the article's %s, over %s. "+
		"They are not part of the article's claims above. A run succeeds in range when its test accuracy reaches %s; "+
		"on an extrapolation set when its accuracy there does (the network is still chosen on the in-range validation set). "+
		"The extrapolation sets: random and random_pos with every element outside the training range, in the range scaled x2 or x4; "+
		"many_hot with each element 1 with probability 0.25 or 0.75 instead of 0.5; one_hot has none (its test pairs are never trained on). "+
		"*%s* pools them: a run succeeds out of range when it succeeds on every set of its dataset. "+
		"Rates are over the analysed runs of the network (not only informative ones: the extrapolation sets have no trivial baselines), "+
		"with 95%% intervals from the bootstrap over cells, then seeds. The out-of-range columns count only the runs with extrapolation measures "+
		"(random, random_pos and many_hot, from rows written since the sets existed; runs that ended in an error count as failures), "+
		"so they cover fewer runs than the in-range column, which includes one_hot.\n\n",
		strings.Join(units, ", "), listOrNone(anchors), plural(len(s.seeds), "seed"), pct(s.target), outOfRange)
	if ran := slices.DeleteFunc(slices.Clone(units), func(n string) bool { return !slices.Contains(unitsWithoutSignal, n) }); len(ran) > 0 {
		fmt.Fprintf(b, "Read %s's results knowing how they start. At these widths the NMU multiplies 256 factors w·x + 1 - w with its published "+
			"initialisation (w in [1/4, 3/4]), so each output starts between about 1e-35 and 1e-100: the loss gives its weights no gradient "+
			"above 1e-30 on any dataset (TestNMUStartsWithoutSignal), and only the sparsity regulariser, when on, moves them. "+
			"A failure there says that the initialisation of Madsen & Johansen, made for a hidden layer of 2, does not carry to 256 inputs, "+
			"not that the unit cannot express the operation.\n\n", strings.Join(ran, " and "))
	}
	writeUnitRates(b, s, compared)
	out := extrapolatedRows(s.analysed, -1) // each run's measure out of range
	writeFamilyBest(b, s, out, units, compared)
	writeMultiplyAgainstUnits(b, s, out, units)
	writeHeadlines(b, s, out)
	writeExtrapolationMaps(b, s)
}

// measureRows returns the section's measures: name and the rows that show
// it, in range first, then outOfRange, then each extrapolation set.
func measureRows(s *study) (names []string, rows [][]Row) {
	names, rows = []string{"in range"}, [][]Row{s.analysed}
	if !hasExtrapolation(s.analysed) {
		return names, rows
	}
	names, rows = append(names, outOfRange), append(rows, extrapolatedRows(s.analysed, -1))
	for i, set := range extrapolationSets {
		names, rows = append(names, set.Name), append(rows, extrapolatedRows(s.analysed, i))
	}
	return names, rows
}

// writeUnitRates writes each compared network's success rate in range and
// on every extrapolation measure.
func writeUnitRates(b *strings.Builder, s *study, compared []string) {
	names, measures := measureRows(s)
	idx := make([]runIndex, len(measures))
	for m, rows := range measures {
		idx[m] = indexRuns(rows, func(Row) bool { return true })
	}
	b.WriteString("### Success per network, in range and out of range\n\n")
	var table [][]string
	for _, n := range compared {
		line := []string{n, thousands(parameterCounts()[n])}
		for m := range measures {
			ri := networkRate(idx[m], s.target, n)
			if ri.Runs == 0 {
				line = append(line, "–")
				continue
			}
			line = append(line, formatRate(ri))
		}
		table = append(table, line)
	}
	mdTable(b, append([]string{"network", fmt.Sprintf("parameters (O = %d)", paramWidth)}, names...), table)
	if len(names) == 1 {
		b.WriteString("No run carries extrapolation measures (they were written before the extrapolation sets existed).\n\n")
	}
}

// rankedBest returns the network of candidates that ranks first on rows
// (success rate, then mean accuracy, then name; ranksAbove), and false
// when none has runs there.
func rankedBest(rows []Row, target float64, candidates []string) (string, bool) {
	var best networkStat
	found := false
	for _, st := range networkStats(rows, target) {
		if !slices.Contains(candidates, st.Name) {
			continue
		}
		if !found || ranksAbove(st.Success, best.Success, st.meanAccuracy(), best.meanAccuracy(), st.Name, best.Name) {
			best, found = st, true
		}
	}
	return best.Name, found
}

// writeFamilyBest writes, per task family and in range and out of range,
// the best unit, its rate, and how it compares with every other compared
// network (McNemar with Holm's correction, the bootstrap interval).
func writeFamilyBest(b *strings.Builder, s *study, out []Row, units, compared []string) {
	b.WriteString("### The best unit per task family\n\n")
	var families []string
	for _, f := range taskFamilies {
		families = append(families, f.Name+" ("+strings.Join(f.Tasks, ", ")+")")
	}
	fmt.Fprintf(b, "Families: %s. The best unit ranks first on success rate (then mean accuracy); "+
		"it is *ahead of* a network when the paired comparison shows it beyond chance (Holm-adjusted McNemar p < %g and the interval of the difference above 0), "+
		"*behind* when the same shows the other way.\n\n", strings.Join(families, "; "), significance)
	var table [][]string
	for _, f := range taskFamilies {
		for _, m := range []struct {
			name string
			rows []Row
		}{{"in range", s.analysed}, {outOfRange, out}} {
			rows := filterRows(m.rows, func(r Row) bool { return slices.Contains(f.Tasks, r.Task) })
			best, ok := rankedBest(rows, s.target, units)
			if !ok {
				continue
			}
			idx := indexRuns(rows, func(Row) bool { return true })
			ahead, behind, unclear := comparedBy(compareAgainst(idx, s.target, best, compared))
			table = append(table, []string{f.Name, m.name, best, formatRate(networkRate(idx, s.target, best)),
				listOrNone(ahead), listOrNone(behind), listOrNone(unclear)})
		}
	}
	mdTable(b, []string{"family", "measure", "best unit", "its success", "ahead of", "behind", "not told apart from"}, table)
}

// listOrNone joins names with commas, or says "none".
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// writeMultiplyAgainstUnits writes the article's multiply against each
// unit, in range and out of range: does the article's unit still win
// against units designed for arithmetic?
func writeMultiplyAgainstUnits(b *strings.Builder, s *study, out []Row, units []string) {
	b.WriteString("### The article's multiply against the units\n\n")
	var table [][]string
	for _, m := range []struct {
		name string
		rows []Row
	}{{"in range", s.analysed}, {outOfRange, out}} {
		idx := indexRuns(m.rows, func(Row) bool { return true })
		for _, c := range compareAgainst(idx, s.target, "multiply", units) {
			reading := map[string]string{effectFor: "multiply better", effectAgainst: c.B + " better", effectUnclear: "not told apart"}[c.effect()]
			table = append(table, []string{m.name, c.B, pct(c.RateA), pct(c.RateB), c.diffText(),
				fmt.Sprintf("%d : %d", c.OnlyA, c.OnlyB), fmt.Sprintf("%.3g", c.HolmP), reading})
		}
	}
	if len(table) == 0 {
		b.WriteString("No runs of multiply beside the units.\n\n")
		return
	}
	b.WriteString("Paired over the (cell, seed) places both ran; Holm's correction over the units within each measure.\n\n")
	mdTable(b, []string{"measure", "unit", "multiply", "unit's", "difference (multiply - unit)", "only multiply : only unit", "Holm p", "reading"}, table)
}

// Readings of a headline on one cell, by the Wilson interval of its
// out-of-range success over seeds.
const (
	headlineReproduced    = "reproduced"     // the interval lies at or above 1/2: the unit succeeds in most seeds
	headlineNotReproduced = "not reproduced" // the interval lies below 1/2
	headlineUnclear       = "unclear"        // neither, or no runs
)

// headlineReading reads one cell's out-of-range success against the
// headline: reproduced when the whole Wilson interval is at or above 1/2,
// not reproduced when it is wholly below.
func headlineReading(ri rateInterval) string {
	return map[string]string{effectFor: headlineReproduced, effectAgainst: headlineNotReproduced, effectUnclear: headlineUnclear}[ri.atLeast(0.5)]
}

// writeHeadlines writes, for each unit with a headline, its success in
// range and out of range on each headline cell, the reading, and the
// results that would surprise the paper's authors: headline cells not
// reproduced, and headline tasks where the article's multiply extrapolates
// better.
func writeHeadlines(b *strings.Builder, s *study, out []Row) {
	var table [][]string
	var surprises []string
	for _, h := range unitHeadlines {
		for _, task := range h.Tasks {
			for _, d := range datasetNames {
				cell := func(r Row) bool { return r.Network == h.Unit && r.Task == task && r.Dataset == d }
				in, ext := fixedCellsRate(s.analysed, s.target, cell), fixedCellsRate(out, s.target, cell)
				if ext.Runs == 0 {
					continue
				}
				reading := headlineReading(ext)
				table = append(table, []string{h.Unit, task, d, formatRate(in), formatRate(ext), reading})
				if reading == headlineNotReproduced {
					surprises = append(surprises, fmt.Sprintf("%s (%s: %s) does not extrapolate %s on %s: %s out of range.",
						h.Unit, h.Paper, h.Claim, task, d, formatRate(ext)))
				}
			}
		}
		rows := filterRows(out, func(r Row) bool { return slices.Contains(h.Tasks, r.Task) })
		c := compareNetworks(indexRuns(rows, func(Row) bool { return true }), s.target, "multiply", h.Unit)
		if c.Pairs > 0 && c.effect() == effectFor {
			surprises = append(surprises, fmt.Sprintf("On %s, the article's multiply extrapolates better than %s (%s): %s against %s, %s, %d : %d discordant runs, McNemar p %.3g.",
				strings.Join(h.Tasks, ", "), h.Unit, h.Paper, pct(c.RateA), pct(c.RateB), c.diffText(), c.OnlyA, c.OnlyB, c.McNemarP))
		}
	}
	b.WriteString("### The units' own headlines on these tasks\n\n")
	if len(table) == 0 {
		b.WriteString("No unit with a headline ran out of range on its headline tasks.\n\n")
		return
	}
	b.WriteString("Each unit on the cells whose task is the operation its paper says it learns and extrapolates. " +
		"Reading, over the seeds of the cell (Wilson interval of the out-of-range success): *reproduced* when the interval lies at or above 1/2 " +
		"(it succeeds in most seeds), *not reproduced* when it lies below 1/2, *unclear* otherwise.\n\n")
	mdTable(b, []string{"unit", "task", "dataset", "success in range", "success out of range", "reading"}, table)
	b.WriteString("**What would surprise the units' authors.** ")
	if len(surprises) == 0 {
		b.WriteString("Nothing: no headline cell is shown not reproduced, and multiply extrapolates no unit's headline tasks better.\n\n")
		return
	}
	b.WriteString("\n\n")
	for _, line := range surprises {
		b.WriteString("- " + line + "\n")
	}
	b.WriteString("\n")
}

// extrapolationMapName returns the file name of the heat map of dataset's
// extrapolation set set.
func extrapolationMapName(dataset, set string) string {
	return "heatmap-" + dataset + "-" + set + ".svg"
}

// extrapolationMap is one extrapolation heat map: a dataset and the index
// of one of its extrapolation sets, and the runs' measures on that set.
type extrapolationMap struct {
	Dataset string
	Set     int
	rows    []Row
}

// Name returns the map's file name.
func (m extrapolationMap) Name() string {
	return extrapolationMapName(m.Dataset, extrapolationSets[m.Set].Name)
}

// extrapolationMapList returns the maps to draw: every extrapolation set
// on every dataset it has measured runs on, dataset by dataset.
func extrapolationMapList(s *study) []extrapolationMap {
	var perSet [len(extrapolationSets)][]Row
	for i := range extrapolationSets {
		perSet[i] = extrapolatedRows(s.analysed, i)
	}
	var out []extrapolationMap
	for _, d := range datasetNames {
		for i, rows := range perSet {
			if slices.ContainsFunc(rows, func(r Row) bool { return r.Dataset == d && r.Error == "" }) {
				out = append(out, extrapolationMap{d, i, rows})
			}
		}
	}
	return out
}

// extrapolationMaps returns the heat maps of extrapolationMapList: file
// name, then SVG.
func extrapolationMaps(s *study) [][2]string {
	var out [][2]string
	for _, m := range extrapolationMapList(s) {
		es := *s
		es.analysed, es.baselines = m.rows, nil // no trivial baselines out of range
		title := fmt.Sprintf("Accuracy (%%) on %s, extrapolation set %s", m.Dataset, extrapolationSets[m.Set].Name)
		out = append(out, [2]string{m.Name(), heatmapTitled(&es, m.Dataset, title)})
	}
	return out
}

// writeExtrapolationMaps writes the extrapolation heat maps, each dataset's
// in-range map named beside them.
func writeExtrapolationMaps(b *strings.Builder, s *study) {
	maps := extrapolationMapList(s)
	if len(maps) == 0 {
		return
	}
	b.WriteString("### Interpolation against extrapolation, per dataset\n\n" +
		"The in-range maps are section 2's; these show the same runs' accuracy on each extrapolation set, on the same scale " +
		"(a gold outline: every seed succeeded there).\n\n")
	for _, m := range maps {
		fmt.Fprintf(b, "![%s](%s)\n\n", strings.TrimSuffix(m.Name(), ".svg"), m.Name())
	}
}
