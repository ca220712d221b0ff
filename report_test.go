package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportRow returns a finished row of network on (task, dataset) for seed,
// with test accuracy acc, under the paper protocol.
func reportRow(task, dataset, network string, seed uint64, acc float64) Row {
	spec, err := findNetwork(network)
	if err != nil {
		panic(err)
	}
	r := Row{
		Task: task, Dataset: dataset, NetworkType: spec.Type, NetworkDepth: spec.Depth, NetworkActivation: spec.Activation,
		Accuracy: acc, Loss: 0.01, LR: 1e-3, GlobalStep: 1000, Datetime: "2025-01-01 00:00:00",
		Network: network, Seed: seed, ValAccuracy: acc, RecordAccuracy: acc, TotalSteps: 1000, Trials: 1,
		Chosen: "grid", Excluded: exclusionReason(task, dataset) != "", WallSeconds: 2, Protocol: paperProtocol().String(),
	}
	r.AccuracyPct = "x"
	return r
}

// errorRow returns a row of an experiment that failed with msg.
func errorRow(task, dataset, network string, seed uint64, msg string) Row {
	r := reportRow(task, dataset, network, seed, 0)
	r.Error, r.Chosen, r.Trials, r.TotalSteps = msg, "", 0, 0
	return r
}

// writeResultsFile writes a results file of rows into dir, then tail as is.
func writeResultsFile(t *testing.T, dir string, rows []Row, tail string) {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(encodeRow(resultsHeader))
	for _, r := range rows {
		buf.Write(encodeRow(r.fields()))
	}
	buf.WriteString(tail)
	if err := os.WriteFile(filepath.Join(dir, resultsName), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureRows is the hand-made study of TestReportFromHandMadeResults:
//
//	multiply         dot/many_hot 0.5, concat/many_hot 1, concat/one_hot 0.995, elementwise_mul/random 0.99
//	                 -> 3 of 4 succeed (75.0%), mean (0.5+1+0.995+0.99)/4 = 0.87125 (87.1%)
//	multiply_simple  dot/one_hot 1, dot/many_hot 0.96 -> 1 of 2 (50.0%), mean 0.98 (98.0%)
//	dense-1-linear   concat/one_hot 1, dot/random 0.2, reduce_sum/many_hot error
//	                 -> 1 of 3 (33.3%), mean (1+0.2+0)/3 = 0.4 (40.0%)
//
// plus one row of an excluded pair (reduce_sum/one_hot), which is not analysed.
func fixtureRows() []Row {
	return []Row{
		reportRow("dot", "many_hot", "multiply", 1, 0.5),
		reportRow("concat", "many_hot", "multiply", 1, 1),
		reportRow("concat", "one_hot", "multiply", 1, 0.995),
		reportRow("elementwise_mul", "random", "multiply", 1, 0.99),
		reportRow("dot", "one_hot", "multiply_simple", 1, 1),
		reportRow("dot", "many_hot", "multiply_simple", 1, 0.96),
		reportRow("concat", "one_hot", "dense-1-linear", 1, 1),
		reportRow("dot", "random", "dense-1-linear", 1, 0.2),
		errorRow("reduce_sum", "many_hot", "dense-1-linear", 1, "panic: boom | here"),
		reportRow("reduce_sum", "one_hot", "multiply", 1, 1),
	}
}

// xmlNode is an element of a parsed SVG.
type xmlNode struct {
	Name     string
	Attr     map[string]string
	Children []*xmlNode
	Text     string // the character data directly inside
}

// parseXML parses data as XML with encoding/xml, failing the test if it is
// not well formed.
func parseXML(t *testing.T, name string, data []byte) *xmlNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	root := &xmlNode{Name: "#document"}
	stack := []*xmlNode{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.Text += string(tok)
		}
	}
	if len(stack) != 1 || len(root.Children) != 1 || root.Children[0].Name != "svg" {
		t.Fatalf("%s: want one <svg> root element", name)
	}
	return root.Children[0]
}

// walk calls f on n and every element below it.
func (n *xmlNode) walk(f func(*xmlNode)) {
	f(n)
	for _, c := range n.Children {
		c.walk(f)
	}
}

// hasClass reports whether the element's class attribute holds the token c.
func (n *xmlNode) hasClass(c string) bool {
	for _, f := range strings.Fields(n.Attr["class"]) {
		if f == c {
			return true
		}
	}
	return false
}

// child returns n's first child element called name, or nil.
func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// heatmapCells returns the heat map's cell groups by their tooltip's
// "task × network" prefix.
func heatmapCells(svg *xmlNode) map[string]*xmlNode {
	out := map[string]*xmlNode{}
	svg.walk(func(n *xmlNode) {
		if n.Name != "g" || n.child("title") == nil {
			return
		}
		title := n.child("title").Text
		out[title[:strings.Index(title, " on ")]] = n
	})
	return out
}

// readReportFile returns the file's contents.
func readReportFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReportFromHandMadeResults writes the report of fixtureRows and checks
// its sections, its tables against numbers worked by hand, and its SVGs.
func TestReportFromHandMadeResults(t *testing.T) {
	dir := t.TempDir()
	writeResultsFile(t, dir, fixtureRows(), "")
	path, err := writeReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, reportName) {
		t.Errorf("writeReport returned %q", path)
	}
	md := string(readReportFile(t, dir, reportName))
	for _, want := range []string{
		// 0. status
		"# Which small networks learn which operations",
		"INCOMPLETE: 9 of 891 experiments of the paper grid for seed(s) 1 (1 of them failed with an error, listed below).",
		"Protocol: the paper's",
		"| reduce_sum | many_hot | dense-1-linear | 1 | panic: boom \\| here |",
		"**1 experiment failed with an error**",
		"Note: 1 row of excluded (task, dataset) pairs (run with -all) is not analysed.",
		// 1. summary
		"## 1. Summary per network",
		"| 1 | multiply | 4 | 3 | 75.0% | 87.1% |",
		"| 2 | multiply_simple | 2 | 1 | 50.0% | 98.0% |",
		"| 3 | dense-1-linear | 3 | 1 | 33.3% | 40.0% |",
		"Networks with no runs yet: 24.",
		"![Success rate per network](summary.svg)",
		// 2. heat maps
		"## 2. Accuracy per task and network",
		"![Accuracy on one_hot](heatmap-one_hot.svg)",
		"![Accuracy on random_pos](heatmap-random_pos.svg)",
		// 3. baselines: concat on one_hot has 2 ones in 256 label elements, so
		// zeros (and the mean, about 1/128) get 254/256 = 99.21875%;
		// one_hot_sum has one 1 in 255: 254/255 = 99.6%; reduce_max on
		// many_hot is always 1: zeros 0%, the mean (1) 100%.
		"## 3. Trivial baselines",
		"| concat | one_hot | 99.2% | 99.2% | 99.2% | yes |",
		"| one_hot_sum | one_hot | 99.6% | 99.6% | 99.6% | yes |",
		"| reduce_max | many_hot | 0.0% | 100.0% | 100.0% | yes |",
		// Informative runs: multiply's concat/one_hot is trivial, its other
		// three are not, two of which succeed; dense-1-linear's concat/one_hot
		// is trivial, dot/random and the error are not.
		"| multiply | 3 | 2 | 66.6% |",
		"| dense-1-linear | 2 | 0 | 0.0% |",
		// 4. claims
		"## 4. The article's claims",
		"| 1 | The multiply network has the best overall success. | confirmed |",
		"| 2 | Multiply reaches close to 100% on almost every task and dataset, except dot and reduce_sum. | confirmed |",
		"| 3 | Multiply simple reaches 100% on dot. | partly |",
		"| 4 | Neither multiply variant does well on reduce_sum (datasets other than one_hot). | no data |",
		"| 5 | Most networks reach > 99% on most tasks with one_hot inputs. | confirmed |",
		"| 6 | An activation whose range excludes the label domain fails (e.g. sigmoid on reduce_sum). | no data |",
		"| 7 | Residual networks do worse than plain dense networks. | no data |",
		"| 8 | XOR is the hardest logical task, on many_hot for every network. | no data |",
		"s(multiply) = 3 of 4 (75.0%), rank 1 of 3 networks",
		"A = 3 of 3 (100.0%); B = 0 of 1 (0.0%).",
		"cannot reach 99% by construction",
		// 5. seeds
		"## 5. Variation over seeds",
		"Single seed (1)",
		// 6. differences and facts
		"## 6. How this run differs from the original",
		"4,000 test pairs, 4,000 validation pairs and the other 8,384 for training",
		"random_pos is really [0, 1)",
		"| total wall time | 0:00:20 (sum of the experiments' own wall times",
		"| experiments run (rows) | 10 (9 analysed, 1 of excluded pairs) |",
		"| rows with errors | 1 |",
		"| study command(s) | not recorded (no runs.jsonl) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if strings.Contains(md, "torn") || strings.Contains(md, "incomplete (") {
		t.Error("report.md mentions a torn line that is not there")
	}

	// summary.svg: one bar per network with runs, best first.
	summary := parseXML(t, summarySVGName, readReportFile(t, dir, summarySVGName))
	var bars []string
	summary.walk(func(n *xmlNode) {
		if n.Name == "rect" && n.hasClass("bar") {
			bars = append(bars, n.child("title").Text)
		}
	})
	if len(bars) != 3 || !strings.HasPrefix(bars[0], "multiply: 3 of 4") || !strings.HasPrefix(bars[2], "dense-1-linear:") {
		t.Errorf("summary.svg bars %q, want multiply, multiply_simple, dense-1-linear", bars)
	}

	// The heat maps: 12 x 27 cells each, excluded and missing ones included.
	excluded := map[string]int{"one_hot": 2 * 27, "many_hot": 27, "random": 6 * 27, "random_pos": 6 * 27}
	ran := map[string]int{"one_hot": 3, "many_hot": 4, "random": 2, "random_pos": 0}
	for _, d := range datasetNames {
		svg := parseXML(t, heatmapName(d), readReportFile(t, dir, heatmapName(d)))
		count := map[string]int{}
		svg.walk(func(n *xmlNode) {
			if n.Name == "rect" && n.hasClass("cell") {
				count["cell"]++
				for _, c := range []string{"excluded", "missing"} {
					if n.hasClass(c) {
						count[c]++
					}
				}
			}
		})
		if count["cell"] != 12*27 || count["excluded"] != excluded[d] || count["missing"] != 12*27-excluded[d]-ran[d] {
			t.Errorf("%s: %d cells, %d excluded, %d missing; want %d, %d, %d", d, count["cell"], count["excluded"], count["missing"],
				12*27, excluded[d], 12*27-excluded[d]-ran[d])
		}
	}
	manyHot := heatmapCells(parseXML(t, "many_hot", readReportFile(t, dir, heatmapName("many_hot"))))
	for key, want := range map[string]string{
		"dot × multiply": "50", "concat × multiply": "100", "dot × multiply_simple": "96",
		"reduce_sum × dense-1-linear": "err", "concat × dense-2-relu": "–",
	} {
		g := manyHot[key]
		if g == nil || g.child("text") == nil || g.child("text").Text != want {
			t.Errorf("many_hot cell %s: want text %q", key, want)
		}
	}
	if c := manyHot["reduce_sum × dense-1-linear"].child("rect"); !c.hasClass("error") {
		t.Error("the error cell lacks class error")
	}
	if c := manyHot["concat × multiply"].child("rect"); c.Attr["fill"] != rampColour(1) || rampColour(1) != "#08306b" || rampColour(0) != "#f7fbff" {
		t.Errorf("a 100%% cell is filled %s, want the ramp's darkest", c.Attr["fill"])
	}
	// Trivially passable pairs carry the dot, on every cell of their row.
	oneHot := heatmapCells(parseXML(t, "one_hot", readReportFile(t, dir, heatmapName("one_hot"))))
	for key, want := range map[string]bool{
		"concat × multiply": true, "one_hot_sum × dense-3-selu": true, "elementwise_add × multiply": false, "reduce_sum × multiply": false,
	} {
		g := oneHot[key]
		if got := g.child("circle") != nil && g.child("circle").hasClass("trivial"); got != want {
			t.Errorf("one_hot cell %s: trivial mark %v, want %v", key, got, want)
		}
	}
	if g := manyHot["reduce_max × multiply"]; g.child("circle") == nil {
		t.Error("reduce_max on many_hot is not marked trivial")
	}
}

// TestReportSeveralSeedsAndRunLog checks section 5 and the run facts from
// runs.jsonl: multiply succeeds on 1 of 2 runs with seed 1 and 2 of 2 with
// seed 2, so 3 of 4 overall, Wilson (0.3006, 0.9544); its per-seed mean
// accuracies are 0.75 and 1.
func TestReportSeveralSeedsAndRunLog(t *testing.T) {
	dir := t.TempDir()
	writeResultsFile(t, dir, []Row{
		reportRow("concat", "many_hot", "multiply", 1, 1),
		reportRow("dot", "many_hot", "multiply", 1, 0.5),
		reportRow("concat", "many_hot", "multiply", 2, 1),
		reportRow("dot", "many_hot", "multiply", 2, 1),
	}, "")
	rec := Invocation{Command: "go run . -seeds 2", GoVersion: "go1.26.8", Kernel: "plain Go", CPU: "Test CPU", CPUs: 8, Workers: 8,
		Selected: 4, Ran: 4, WallSeconds: 3725}
	if err := appendInvocation(dir, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	md := string(readReportFile(t, dir, reportName))
	for _, want := range []string{
		"INCOMPLETE: 4 of 1,782 experiments of the paper grid for seed(s) 1, 2.",
		"| multiply | 4 | 75.0% | 30.0% – 95.4% | 87.5% | 75.0% | 100.0% |",
		"| study command(s) | `go run . -seeds 2` |",
		"| CPU | Test CPU (8 CPUs) |",
		"| total wall time | 1:02:05, summed over 1 invocation (from runs.jsonl) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	svg := string(readReportFile(t, dir, heatmapName("many_hot")))
	if !strings.Contains(svg, "mean over 2 seeds") || !strings.Contains(svg, "1 of 2 seeds succeeded") {
		t.Error("the many_hot heat map does not show the mean over seeds")
	}
}

// TestReportTornLastLine: a results file whose last line was cut short
// still gives a report, which says the line was ignored.
func TestReportTornLastLine(t *testing.T) {
	dir := t.TempDir()
	tail := "dot,many_hot,dense,1,linear,50.0%,0.5"
	writeResultsFile(t, dir, fixtureRows()[:3], tail)
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	md := string(readReportFile(t, dir, reportName))
	if !strings.Contains(md, fmt.Sprintf("was incomplete (%d bytes without a newline", len(tail))) || !strings.Contains(md, "it was ignored") {
		t.Error("report.md does not say the torn last line was ignored")
	}
	if !strings.Contains(md, "INCOMPLETE: 3 of 891") {
		t.Error("the torn line was counted")
	}
}

// TestReportCompleteGrid: every experiment of the paper grid for seed 1,
// one of them an error, is complete, and the error is counted.
func TestReportCompleteGrid(t *testing.T) {
	plan, err := newPlan(paperProtocol(), Selection{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for _, e := range plan.Experiments {
		rows = append(rows, reportRow(e.Task.Name, datasetNames[e.Dataset], e.Network.Name, e.Seed, 1))
	}
	rows[7] = errorRow(rows[7].Task, rows[7].Dataset, rows[7].Network, 1, "boom")
	dir := t.TempDir()
	writeResultsFile(t, dir, rows, "")
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	md := string(readReportFile(t, dir, reportName))
	want := "**Status: complete**: all 891 experiments of the paper grid for seed 1 (1 of them failed with an error, listed below)."
	if !strings.Contains(md, want) || !strings.Contains(md, "| rows with errors | 1 |") {
		t.Errorf("report.md lacks %q or the error count", want)
	}
}

// TestReportErrors: an unknown name in a middle row, a missing file and a
// header-only file each give one clear line, never a panic.
func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, resultsName)
	check := func(name, want string) {
		t.Helper()
		_, err := writeReport(dir)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", name, err, want)
		}
	}
	check("missing file", "no results in "+path+": run the study first (go run .)")

	writeResultsFile(t, dir, nil, "")
	check("header only", "no results in "+path+": run the study first (go run .)")

	rows := fixtureRows()[:3]
	rows[1].Network = "foo"
	writeResultsFile(t, dir, rows, "")
	check("unknown network", path+`: line 3: unknown network "foo" (valid: dense-1-linear,`)

	rows = fixtureRows()[:4]
	rows[2].Task = "sort"
	writeResultsFile(t, dir, rows, "")
	check("unknown task", path+`: line 4: unknown task "sort" (valid: reduce_sum,`)

	rows = fixtureRows()[:2]
	rows[1].Protocol = "reasonops-1;train=10"
	writeResultsFile(t, dir, rows, "")
	check("another version's protocol", `experiment concat/many_hot/multiply/1: protocol "reasonops-1;train=10": made by another version of the training code`)

	rows = fixtureRows()[:2]
	p := paperProtocol()
	p.Target = 1.5
	rows[1].Protocol = p.String()
	writeResultsFile(t, dir, rows, "")
	check("target beyond 1", "target=1.5 is not a fraction in (0, 1]")

	if _, err := os.Stat(filepath.Join(dir, reportName)); err == nil {
		t.Error("a report was written despite the errors")
	}
}

// TestBaselinesOfKnownLabels checks testBaseline's predictors and its
// activation-range counts where the answer is certain: on many_hot,
// reduce_sum is about 128 (never reachable by sigmoid or tanh, always by
// relu and selu), reduce_max is 1; on random, a·b lies in (-1, 1].
func TestBaselinesOfKnownLabels(t *testing.T) {
	sp := splitKey{Seed: 3, Train: 1000000, Val: 200, Test: 200}
	base, problems := computeBaselines([]splitKey{sp})
	if problems != nil {
		t.Fatal(problems)
	}
	if len(base) != 33 {
		t.Errorf("%d baselines, want one per analysed pair (33)", len(base))
	}
	sum := base[baselineKey{"reduce_sum", "many_hot", sp}]
	if sum.Outside != [4]float64{1, 1, 0, 0} || sum.Zeros != 0 {
		t.Errorf("reduce_sum on many_hot: outside %v (sigmoid, tanh, relu, selu), zeros %v; want [1 1 0 0], 0", sum.Outside, sum.Zeros)
	}
	mx := base[baselineKey{"reduce_max", "many_hot", sp}]
	if mx.Zeros != 0 || mx.Mean != 1 {
		t.Errorf("reduce_max on many_hot: zeros %v, mean %v; want 0 and 1", mx.Zeros, mx.Mean)
	}
	mul := base[baselineKey{"elementwise_mul", "random", sp}]
	if mul.Outside[1] != 0 || mul.Outside[0] == 0 {
		t.Errorf("elementwise_mul on random: outside %v; want none for tanh, some for sigmoid", mul.Outside)
	}
	// one_hot cannot hold 9,000 + 9,000 held-out pairs: no baselines for it, the others still.
	base, problems = computeBaselines([]splitKey{{Seed: 1, Train: 100, Val: 9000, Test: 9000}})
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "one_hot, seed 1: ") || len(base) != 33-10 {
		t.Errorf("impossible one_hot sizes: %d baselines, problems %q; want 23 and one about one_hot", len(base), problems)
	}
}

// TestWilson checks the interval against values worked by hand.
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 10, 0, 0.2775}, {5, 10, 0.2366, 0.7634}, {10, 10, 0.7225, 1}, {3, 4, 0.3006, 0.9544}, {0, 0, 0, 1},
	} {
		lo, hi := wilson(c.k, c.n)
		if math.Abs(lo-c.lo) > 1e-4 || math.Abs(hi-c.hi) > 1e-4 {
			t.Errorf("wilson(%d, %d) = (%.5f, %.5f), want (%.4f, %.4f)", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
}

// claimRow returns a row for the claim tests: network on (task, dataset)
// for seed, with accuracy acc.
func claimRow(task, dataset, network string, seed uint64, acc float64) Row {
	return reportRow(task, dataset, network, seed, acc)
}

// runsOf returns n rows of network on (task, dataset), seeds from..from+n-1,
// the first k succeeding (accuracy 1) and the rest failing (0.5).
func runsOf(task, dataset, network string, from uint64, k, n int) []Row {
	var rows []Row
	for i := 0; i < n; i++ {
		acc := 0.5
		if i < k {
			acc = 1
		}
		rows = append(rows, claimRow(task, dataset, network, from+uint64(i), acc))
	}
	return rows
}

// concatRows joins row lists.
func concatRows(lists ...[]Row) []Row {
	var out []Row
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// checkVerdict fails the test if got's verdict is not want.
func checkVerdict(t *testing.T, name string, got claimResult, want string) {
	t.Helper()
	if got.Verdict != want {
		t.Errorf("%s: verdict %q, want %q (%s)", name, got.Verdict, want, got.Numbers)
	}
}

// TestClaimRules runs each claim's rule on rows whose answer is known,
// thresholds included.
func TestClaimRules(t *testing.T) {
	const target = 0.99
	m := func(k, n int) []Row { return runsOf("concat", "many_hot", "multiply", 1, k, n) }
	d := func(net string, k, n int) []Row { return runsOf("concat", "many_hot", net, 1, k, n) }

	// Claim 1.
	checkVerdict(t, "C1 strictly best", claimMultiplyBest(concatRows(m(2, 2), d("dense-1-linear", 1, 2)), target), verdictConfirmed)
	checkVerdict(t, "C1 tied", claimMultiplyBest(concatRows(m(1, 2), d("dense-1-linear", 2, 4)), target), verdictPartly)
	checkVerdict(t, "C1 third", claimMultiplyBest(concatRows(m(1, 4), d("dense-1-linear", 1, 1), d("dense-1-relu", 1, 2), d("dense-1-tanh", 0, 1)), target), verdictPartly)
	checkVerdict(t, "C1 fourth", claimMultiplyBest(concatRows(m(1, 4), d("dense-1-linear", 1, 1), d("dense-1-relu", 1, 2), d("dense-1-tanh", 1, 3)), target), verdictNotConfirmed)
	checkVerdict(t, "C1 alone", claimMultiplyBest(m(1, 1), target), verdictNoData)
	excludedOnly := []Row{claimRow("reduce_sum", "one_hot", "dense-1-linear", 1, 1)}
	checkVerdict(t, "C1 excluded rows ignored", claimMultiplyBest(concatRows(m(1, 1), excludedOnly), target), verdictNoData)

	// Claim 2: A exactly 0.9 and B exactly 0.5 confirm; A exactly 0.6 is partly.
	dotRows := func(k, n int) []Row { return runsOf("dot", "random", "multiply", 1, k, n) }
	checkVerdict(t, "C2 A=0.9 B=0.5", claimMultiplyAlmostEverywhere(concatRows(m(9, 10), dotRows(1, 2)), target), verdictConfirmed)
	checkVerdict(t, "C2 A=0.6 B=1", claimMultiplyAlmostEverywhere(concatRows(m(3, 5), dotRows(1, 1)), target), verdictPartly)
	checkVerdict(t, "C2 A=0.9 B=1", claimMultiplyAlmostEverywhere(concatRows(m(9, 10), dotRows(1, 1)), target), verdictPartly)
	checkVerdict(t, "C2 A=0.5", claimMultiplyAlmostEverywhere(concatRows(m(1, 2), dotRows(0, 1)), target), verdictNotConfirmed)
	checkVerdict(t, "C2 no B", claimMultiplyAlmostEverywhere(m(1, 1), target), verdictNoData)
	// An error row is a failure even if its accuracy cell says 1: A = 5/9 < 0.6 (5/8 without it).
	failed := errorRow("concat", "random", "multiply", 1, "boom")
	failed.Accuracy = 1
	withError := concatRows(m(5, 8), []Row{failed}, dotRows(0, 1))
	checkVerdict(t, "C2 an error counts as a failure", claimMultiplyAlmostEverywhere(withError, target), verdictNotConfirmed)

	// Claim 3.
	simpleDot := func(k, n int) []Row { return runsOf("dot", "many_hot", "multiply_simple", 1, k, n) }
	checkVerdict(t, "C3 all", claimSimpleDot(simpleDot(3, 3), target), verdictConfirmed)
	checkVerdict(t, "C3 half", claimSimpleDot(simpleDot(1, 2), target), verdictPartly)
	checkVerdict(t, "C3 a third", claimSimpleDot(simpleDot(1, 3), target), verdictNotConfirmed)
	checkVerdict(t, "C3 none", claimSimpleDot(m(1, 1), target), verdictNoData)

	// Claim 4: reduce_sum on one_hot is excluded and never counts.
	sum := func(net string, k, n int) []Row { return runsOf("reduce_sum", "random_pos", net, 1, k, n) }
	oneHotSum := runsOf("reduce_sum", "one_hot", "multiply", 1, 5, 5)
	checkVerdict(t, "C4 none pass", claimReduceSumHard(concatRows(sum("multiply", 0, 1), sum("multiply_simple", 0, 1), oneHotSum), target), verdictConfirmed)
	checkVerdict(t, "C4 half", claimReduceSumHard(concatRows(sum("multiply", 1, 1), sum("multiply_simple", 0, 1)), target), verdictPartly)
	checkVerdict(t, "C4 most", claimReduceSumHard(concatRows(sum("multiply", 1, 1), sum("multiply_simple", 1, 2)), target), verdictNotConfirmed)
	checkVerdict(t, "C4 no runs", claimReduceSumHard(oneHotSum, target), verdictNoData)

	// Claim 5: a network "does" above half; P exactly 0.5 or 0.25 is partly.
	oh := func(net string, k, n int) []Row { return runsOf("concat", "one_hot", net, 1, k, n) }
	never := func(Row) bool { return false }
	checkVerdict(t, "C5 all do", claimOneHotMostly(concatRows(oh("multiply", 2, 3), oh("dense-1-relu", 1, 1)), target, never), verdictConfirmed)
	checkVerdict(t, "C5 P=0.5", claimOneHotMostly(concatRows(oh("multiply", 2, 3), oh("dense-1-relu", 1, 2)), target, never), verdictPartly)
	quarter := concatRows(oh("multiply", 1, 1), oh("dense-1-relu", 0, 1), oh("dense-1-tanh", 0, 1), oh("dense-1-selu", 0, 1))
	checkVerdict(t, "C5 P=0.25", claimOneHotMostly(quarter, target, never), verdictPartly)
	fifth := concatRows(quarter, oh("dense-1-linear", 0, 1))
	checkVerdict(t, "C5 P=0.2", claimOneHotMostly(fifth, target, never), verdictNotConfirmed)
	checkVerdict(t, "C5 no one_hot", claimOneHotMostly(m(1, 1), target, never), verdictNoData)
	caveat := claimOneHotMostly(concatRows(oh("multiply", 2, 3), runsOf("elementwise_add", "one_hot", "multiply", 1, 1, 1)), target,
		func(r Row) bool { return r.Task == "concat" })
	if !strings.Contains(caveat.Numbers, "2 of the 3 one_hot successes") {
		t.Errorf("C5 caveat: %s", caveat.Numbers)
	}

	// Claim 6: outside says half of reduce_sum's labels are beyond sigmoid.
	outside := func(r Row, act string) float64 {
		if r.Task == "reduce_sum" && act == "sigmoid" {
			return 0.5
		}
		return 0
	}
	sig := func(k, n int) []Row { return runsOf("reduce_sum", "many_hot", "dense-1-sigmoid", 1, k, n) }
	ignored := concatRows(runsOf("reduce_sum", "many_hot", "dense_residual-2-sigmoid", 1, 5, 5), runsOf("concat", "many_hot", "dense-1-sigmoid", 1, 5, 5),
		runsOf("reduce_sum", "many_hot", "dense-1-linear", 1, 5, 5))
	checkVerdict(t, "C6 M=0.95", claimActivationRange(concatRows(sig(1, 20), ignored), target, outside), verdictConfirmed)
	checkVerdict(t, "C6 M=0.75", claimActivationRange(sig(1, 4), target, outside), verdictPartly)
	checkVerdict(t, "C6 M=0.5", claimActivationRange(sig(1, 2), target, outside), verdictNotConfirmed)
	checkVerdict(t, "C6 no mismatch", claimActivationRange(ignored, target, outside), verdictNoData)
	if r := claimActivationRange(sig(1, 2), target, outside); !strings.Contains(r.Numbers, "should be impossible: reduce_sum/many_hot/dense-1-sigmoid/1") {
		t.Errorf("C6 does not name the mismatch run that passed: %s", r.Numbers)
	}

	// Claim 7: pairs on the same (task, dataset, seed); d - r exactly 0.05 confirms.
	plain := func(k, n int) []Row { return runsOf("concat", "random", "dense-2-relu", 1, k, n) }
	resid := func(k, n int) []Row { return runsOf("concat", "random", "dense_residual-2-relu", 1, k, n) }
	unpaired := concatRows(runsOf("concat", "random", "dense-1-relu", 1, 0, 30), runsOf("concat", "random", "dense-2-relu", 41, 5, 5))
	checkVerdict(t, "C7 d-r=0.05", claimResidualWorse(concatRows(plain(2, 20), resid(1, 20), unpaired), target), verdictConfirmed)
	checkVerdict(t, "C7 d-r=0.025", claimResidualWorse(concatRows(plain(2, 40), resid(1, 40)), target), verdictPartly)
	checkVerdict(t, "C7 d-r=0", claimResidualWorse(concatRows(plain(2, 20), resid(2, 20)), target), verdictNotConfirmed)
	checkVerdict(t, "C7 no pairs", claimResidualWorse(unpaired, target), verdictNoData)
	if r := claimResidualWorse(concatRows(plain(2, 20), resid(1, 20)), target); !strings.Contains(r.Numbers, "20 paired runs") ||
		!strings.Contains(r.Numbers, "plain higher in 1, residual higher in 0, equal in 19") {
		t.Errorf("C7 numbers: %s", r.Numbers)
	}

	// Claim 8: means over seeds; XOR must be strictly lowest.
	logic := func(net string, and, or float64, xor ...float64) []Row {
		rows := []Row{claimRow("logical_and", "many_hot", net, 1, and), claimRow("logical_or", "many_hot", net, 1, or)}
		for i, x := range xor {
			rows = append(rows, claimRow("logical_xor", "many_hot", net, uint64(1+i), x))
		}
		return rows
	}
	hardest := logic("multiply", 1, 1, 1, 0) // XOR's mean is 0.5
	tie := logic("dense-1-relu", 0.6, 1, 0.6)
	partial := []Row{claimRow("logical_and", "many_hot", "dense-1-tanh", 1, 1), claimRow("logical_xor", "many_hot", "dense-1-tanh", 1, 1)}
	checkVerdict(t, "C8 every", claimXorHardest(concatRows(hardest, partial)), verdictConfirmed)
	checkVerdict(t, "C8 H=0.5", claimXorHardest(concatRows(hardest, tie)), verdictPartly)
	checkVerdict(t, "C8 none", claimXorHardest(tie), verdictNotConfirmed)
	checkVerdict(t, "C8 no data", claimXorHardest(partial), verdictNoData)
}

// TestJoinSeeds checks the seed lists of the status line.
func TestJoinSeeds(t *testing.T) {
	for _, c := range []struct {
		seeds []uint64
		want  string
	}{{[]uint64{1}, "1"}, {[]uint64{1, 2}, "1, 2"}, {[]uint64{1, 2, 3, 4, 7, 9, 10}, "1–4, 7, 9, 10"}} {
		if got := joinSeeds(c.seeds); got != c.want {
			t.Errorf("joinSeeds(%v) = %q, want %q", c.seeds, got, c.want)
		}
	}
}

// TestPaperGridSize checks the grid count against the sweep's own plan.
func TestPaperGridSize(t *testing.T) {
	plan, err := newPlan(paperProtocol(), Selection{})
	if err != nil {
		t.Fatal(err)
	}
	if paperGridSize() != 891 || len(plan.Experiments) != 891 {
		t.Errorf("paper grid %d, plan %d; want 891", paperGridSize(), len(plan.Experiments))
	}
}
