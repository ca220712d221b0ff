package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
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
		Task: task, Dataset: dataset, NetworkType: string(spec.Type), NetworkDepth: spec.Depth, NetworkActivation: spec.Activation,
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
	mustContain(t, reportName, md,
		// 0. status
		"# Which small networks learn which operations",
		fmt.Sprintf("INCOMPLETE: 9 of %d experiments of the paper grid for seed(s) 1 (1 of them failed with an error, listed below).", paperGridSize()),
		"Protocol: the paper's",
		"| reduce_sum | many_hot | dense-1-linear | 1 | panic: boom \\| here |",
		"**1 experiment failed with an error**",
		"Note: 1 row of excluded (task, dataset) pairs (run with -all) is not analysed.",
		// 1. summary
		"## 1. Summary per network",
		// Ranked on informative runs (see section 3 below): multiply 2 of 3,
		// its interval over 3 cells of one seed each [0, 1]; then the two
		// with none, multiply_simple's lift (0.96 on dot) the higher.
		"| 1 | multiply | 98,944 | 3 | 66.6% [0.0%, 100.0%] | 66.6% |",
		"| 75.0% (3 of 4) | 87.1% |",
		"| 2 | multiply_simple | 16,512 | 1 | 0.0% [0.0%, 0.0%] | 0.0% |",
		"| 50.0% (1 of 2) | 98.0% |",
		"| 3 | dense-1-linear | 32,896 | 2 | 0.0% [0.0%, 0.0%] | 0.0% |",
		"| 33.3% (1 of 3) | 40.0% |",
		// multiply against the others: only multiply_simple shares an
		// informative place with it (dot/many_hot, both failed).
		"### multiply against every other network",
		"| multiply_simple | 1 | 0.0 pp [0.0, 0.0] | 0 : 0 | 1 | 1 | 0 : 1, p = 1 | 0 : 0 cells, p = 1 | no |",
		"Holm's adjustment over these 1 comparison.",
		"Networks with no runs yet: 24.",
		"![Success rate per network](summary.svg)",
		// 2. heat maps
		"## 2. Accuracy per task and network",
		"![Accuracy on one_hot](heatmap-one_hot.svg)",
		"### random_pos\n\nNo runs on random_pos.",
		fmt.Sprintf("covers only the experiments in the file: 4 of %d tasks (reduce_sum; concat; dot; elementwise_mul), 3 of %d datasets (one_hot; many_hot; random), 3 of %d networks",
			len(paperTasks), len(datasetNames), len(paperNetworks)),
		// 3. baselines: concat on one_hot has 2 ones in 256 label elements, so
		// zeros (and the mean, about 1/128) get 254/256 = 99.21875%;
		// one_hot_sum has one 1 in 255: 254/255 = 99.6%; reduce_max on
		// many_hot is always 1: zeros 0%, the mean (1) 100%.
		"## 3. Trivial baselines",
		"| concat | one_hot | 99.2% | 99.2% | 99.2% | 99.2% | yes |",
		"Pairs with no runs are not shown.",
		// 4. claims
		"## 4. The article's claims",
		"| 1 | The multiply network has the best overall success. | inconclusive |",
		"| 2 | Multiply reaches close to 100% on almost every task and dataset, except dot and reduce_sum. | inconclusive |",
		"| 3 | Multiply simple reaches 100% on dot. | contradicted |",
		"| 4 | Neither multiply variant does well on reduce_sum (datasets other than one_hot). | no data |",
		"| 5 | Most networks reach > 99% on most tasks with one_hot inputs. | no data |",
		"| 6 | An activation whose range excludes the label domain fails (e.g. sigmoid on reduce_sum). | untestable |",
		"| 7 | Residual networks do worse than plain dense networks. | no data |",
		"| 8 | XOR is the hardest logical task, on many_hot for every network. | no data |",
		"multiply succeeds on 66.6% [0.0%, 100.0%] (2 of 3) of its informative runs (strict metric: 2 of 3 (66.6%)). Against 1 networks: ahead of 0; not distinguishable from multiply_simple",
		"A = 100.0% [34.2%, 100.0%] (2 of 2); B = 0.0% [0.0%, 79.4%] (0 of 1).",
		"S = 0.0% [0.0%, 79.4%] (0 of 1).",
		"cannot reach 99% on it, by arithmetic",
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
	)
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
	if len(bars) != 3 || !strings.HasPrefix(bars[0], "multiply: 66.6% [0.0%, 100.0%]") || !strings.HasPrefix(bars[2], "dense-1-linear:") {
		t.Errorf("summary.svg bars %q, want multiply, multiply_simple, dense-1-linear", bars)
	}

	// The heat maps: a cell per paper task and network, excluded and
	// missing ones included.
	cells := len(paperTasks) * len(paperNetworks)
	excluded := map[string]int{}
	for _, task := range paperTasks {
		for _, d := range datasetNames {
			if exclusionReason(task.Name, d) != "" {
				excluded[d] += len(paperNetworks)
			}
		}
	}
	ran := map[string]int{"one_hot": 3, "many_hot": 4, "random": 2, "random_pos": 0}
	for _, d := range datasetNames {
		if ran[d] == 0 { // no runs, no map
			if _, err := os.Stat(filepath.Join(dir, heatmapName(d))); err == nil {
				t.Errorf("%s has no runs but a heat map", d)
			}
			continue
		}
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
		if count["cell"] != cells || count["excluded"] != excluded[d] || count["missing"] != cells-excluded[d]-ran[d] {
			t.Errorf("%s: %d cells, %d excluded, %d missing; want %d, %d, %d", d, count["cell"], count["excluded"], count["missing"],
				cells, excluded[d], cells-excluded[d]-ran[d])
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
	if c := manyHot["concat × multiply"].child("rect"); c.Attr["fill"] != rampColour(1) || rampColour(1) != "#08306b" || rampColour(0) != "#f7fbff" ||
		!c.hasClass("success") || c.Attr["stroke"] != successStroke {
		t.Errorf("a 100%% cell is filled %s with stroke %s, want the ramp's darkest with the success outline", c.Attr["fill"], c.Attr["stroke"])
	}
	if c := manyHot["dot × multiply_simple"].child("rect"); c.hasClass("success") || c.Attr["fill"] != rampColour(nines(0.96)) {
		t.Errorf("a 96%% cell: class %q fill %s", c.Attr["class"], c.Attr["fill"])
	}
	// The nines scale keeps 95%, 98%, 99% and 100% apart.
	if !(nines(0.95) < nines(0.98) && nines(0.98) < nines(0.99) && nines(0.99) < nines(1)) || math.Abs(nines(0.99)-2.0/3) > 1e-12 {
		t.Errorf("nines: 0.95 %v, 0.98 %v, 0.99 %v, 1 %v", nines(0.95), nines(0.98), nines(0.99), nines(1))
	}
	// Trivially passable pairs are grey and struck through, on every cell of their row.
	oneHot := heatmapCells(parseXML(t, "one_hot", readReportFile(t, dir, heatmapName("one_hot"))))
	for key, want := range map[string]bool{
		"concat × multiply": true, "concat × dense-3-selu": true, "elementwise_add × multiply": false, "reduce_sum × multiply": false,
	} {
		g := oneHot[key]
		if got := g.child("rect").hasClass("trivial"); got != want {
			t.Errorf("one_hot cell %s: trivial mark %v, want %v", key, got, want)
		}
	}
	if g := oneHot["concat × multiply"]; g.child("rect").Attr["fill"] != trivialFill || g.child("line") == nil {
		t.Error("concat on one_hot is not grey and struck through")
	}
}

// TestReportSeveralSeedsAndRunLog checks section 5 and the run facts from
// runs.jsonl: multiply succeeds on 1 of 2 runs with seed 1 and 2 of 2 with
// seed 2, so 3 of 4 overall, Wilson (0.3006, 0.9544); its per-seed mean
// accuracies are 0.75 and 1.
func TestReportSeveralSeedsAndRunLog(t *testing.T) {
	dir := t.TempDir()
	checked := reportRow("concat", "many_hot", "multiply", 1, 1)
	checked.ChecksConfirmed, checked.ChecksRejected = 1, 3
	writeResultsFile(t, dir, []Row{
		checked,
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
	mustContain(t, reportName, md,
		"INCOMPLETE: 4 of 1,782 experiments of the paper grid for seed(s) 1, 2.",
		"| multiply | 4 | 75.0% | 50.0% | 100.0% | 87.5% | 75.0% | 100.0% |",
		"| concat | many_hot | multiply | 2 of 2 | 34.2% – 100.0% | 100.0% | 100.0% | 100.0% |",
		"| dot | many_hot | multiply | 1 of 2 | 9.4% – 90.6% | 75.0% | 50.0% | 100.0% |",
		"| study command(s) | `go run . -seeds 2` |",
		"| CPU | Test CPU (8 CPUs) |",
		"| early-stopping checks | 1 confirmed on the whole validation set (the training stopped); 3 rejected",
		"| total wall time | 1:02:05, summed over 1 invocation (from runs.jsonl) |",
	)
	svg := string(readReportFile(t, dir, heatmapName("many_hot")))
	if !strings.Contains(svg, "mean over 2 seeds") || !strings.Contains(svg, "1 of 2 seeds succeeded") || !strings.Contains(svg, ">1/2</text>") {
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
	if !strings.Contains(md, fmt.Sprintf("was incomplete (%d bytes of a row cut short", len(tail))) || !strings.Contains(md, "it was ignored") {
		t.Error("report.md does not say the torn last line was ignored")
	}
	if !strings.Contains(md, fmt.Sprintf("INCOMPLETE: 3 of %d", paperGridSize())) {
		t.Error("the torn line was counted")
	}
}

// TestReportCompleteGrid: every experiment of the paper grid for seed 1,
// one of them an error, is complete, and the error is counted.
func TestReportCompleteGrid(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
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
	want := fmt.Sprintf("**Status: complete**: all %d experiments of the paper grid for seed 1 (1 of them failed with an error, listed below).", paperGridSize())
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
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	sp := splitKey{Seed: 3, Train: 1000000, Val: 200, Test: 200}
	analysed := map[[2]string]bool{}
	for _, task := range tasks {
		for _, d := range datasetNames {
			if exclusionReason(task.Name, d) == "" {
				analysed[[2]string{task.Name, d}] = true
			}
		}
	}
	base, problems := computeBaselines([]splitKey{sp}, analysed)
	if problems != nil {
		t.Fatal(problems)
	}
	if len(base) != len(analysed) {
		t.Errorf("%d baselines, want one per analysed pair (%d)", len(base), len(analysed))
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
	// The best constant on logical_or over many_hot is 1 (right where either
	// bit is set: 3 times in 4); the mean, 0.75, is never within tolerance.
	or := base[baselineKey{"logical_or", "many_hot", sp}]
	if math.Abs(or.BestConst-0.75) > 0.02 || or.Mean != 0 || math.Abs(or.Zeros-0.25) > 0.02 || or.best() != or.BestConst {
		t.Errorf("logical_or on many_hot: best constant %v, mean %v, zeros %v; want about 0.75, 0, 0.25", or.BestConst, or.Mean, or.Zeros)
	}
	// Only the pairs asked for are computed.
	if only, _ := computeBaselines([]splitKey{sp}, map[[2]string]bool{{"dot", "random"}: true}); len(only) != 1 {
		t.Errorf("%d baselines for one pair", len(only))
	}
	base, problems = computeBaselines([]splitKey{{Seed: 1, Train: 100, Val: 9000, Test: 9000}}, analysed)
	oneHotPairs := 0
	for pair := range analysed {
		oneHotPairs += b2i(pair[1] == "one_hot")
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "one_hot, seed 1: ") || len(base) != len(analysed)-oneHotPairs {
		t.Errorf("impossible one_hot sizes: %d baselines, problems %q; want %d and one about one_hot", len(base), problems, len(analysed)-oneHotPairs)
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

// TestBestConstant checks bestConstant on labels whose best constant is
// known: the most labels within the metric's tolerance (0.158) of it.
func TestBestConstant(t *testing.T) {
	for _, c := range []struct {
		labels []float32
		want   float64
	}{
		{[]float32{0, 0, 0, 1, 1}, 0},
		{[]float32{1, 0, 1, 0, 1}, 1},
		{[]float32{0.1, 0.2, 0.35, 5, 5.1, 5.2, 5.3}, 5.15}, // [5, 5.3] holds four, within 0.158 of 5.15
		{[]float32{-2, 7}, -2},                              // a tie: the first window
		{nil, 0},
	} {
		got := bestConstant(slices.Clone(c.labels))
		if math.Abs(got-c.want) > 1e-6 {
			t.Errorf("bestConstant(%v) = %v, want %v", c.labels, got, c.want)
		}
		n := 0
		for _, l := range c.labels {
			if elementCorrect(float32(got), l) {
				n++
			}
		}
		if len(c.labels) > 0 && n == 0 {
			t.Errorf("bestConstant(%v) = %v is right for no label", c.labels, got)
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

// claimCells are twelve analysed (task, dataset) cells for the claim tests.
var claimCells = func() [][2]string {
	var cells [][2]string
	for _, t := range []string{"concat", "elementwise_add", "elementwise_mul", "dot"} {
		for _, d := range []string{"many_hot", "random", "random_pos"} {
			cells = append(cells, [2]string{t, d})
		}
	}
	return cells
}()

// gridRuns returns network's runs on the claim cells for seeds 1..seeds,
// succeeding (accuracy 1) on the cells where ok(cell index) and failing
// (0.5) elsewhere.
func gridRuns(network string, seeds int, ok func(cell int) bool) []Row {
	var rows []Row
	for i, c := range claimCells {
		for s := 1; s <= seeds; s++ {
			acc := 0.5
			if ok(i) {
				acc = 1
			}
			rows = append(rows, claimRow(c[0], c[1], network, uint64(s), acc))
		}
	}
	return rows
}

// claimsOn is the claim input for rows where every run is informative,
// g is the accuracy itself, and half of reduce_sum's labels are beyond
// sigmoid's reach.
func claimsOn(rows []Row) claimInput {
	return claimInput{
		rows: rows, target: 0.99,
		informative: func(Row) bool { return true },
		gapClosed:   func(r Row) (float64, bool) { return r.testAccuracy(), true },
		outside: func(r Row, act string) float64 {
			if r.Task == "reduce_sum" && act == "sigmoid" {
				return 0.5
			}
			return 0
		},
	}
}

// TestClaimRules runs each claim's rule on rows whose answer is known:
// each verdict it can give, "inconclusive" where one seed leaves a handful
// of runs to decide.
func TestClaimRules(t *testing.T) {
	all := func(int) bool { return true }
	none := func(int) bool { return false }
	firstThree := func(i int) bool { return i < 3 }

	// Claim 1: 12 cells, one seed. Ahead everywhere: McNemar 12:0, p = 2/4096,
	// Holm x2 = 0.00098, interval [1, 1].
	checkVerdict(t, "C1 ahead of all", claimMultiplyBest(claimsOn(concatRows(gridRuns("multiply", 1, all),
		gridRuns("dense-1-linear", 1, none), gridRuns("dense-1-relu", 1, none)))), verdictConfirmed)
	// Three discordant cells (3:0, p = 0.25): a handful, inconclusive.
	checkVerdict(t, "C1 a handful", claimMultiplyBest(claimsOn(concatRows(gridRuns("multiply", 1, all),
		gridRuns("dense-1-linear", 1, func(i int) bool { return i >= 3 })))), verdictInconclusive)
	// The same three cells over ten seeds: 30:0, p ~ 2e-9, but the interval
	// over cells still holds 0 (3 of 12 cells differ): inconclusive.
	checkVerdict(t, "C1 three cells, ten seeds", claimMultiplyBest(claimsOn(concatRows(gridRuns("multiply", 10, all),
		gridRuns("dense-1-linear", 10, func(i int) bool { return i >= 3 })))), verdictInconclusive)
	checkVerdict(t, "C1 behind one", claimMultiplyBest(claimsOn(concatRows(gridRuns("multiply", 1, none),
		gridRuns("dense-1-linear", 1, all), gridRuns("dense-1-relu", 1, none)))), verdictContradicted)
	checkVerdict(t, "C1 alone", claimMultiplyBest(claimsOn(gridRuns("multiply", 1, all))), verdictNoData)
	sized := claimMultiplyBest(claimsOn(concatRows(gridRuns("multiply", 1, all), gridRuns("dense-2-relu", 1, firstThree))))
	if !strings.Contains(sized.Numbers, "networks of its size (multiply, 98,944 parameters at width 128:") ||
		!strings.Contains(sized.Numbers, "dense-2-relu +75.0 pp") {
		t.Errorf("C1 same-size comparison: %s", sized.Numbers)
	}

	// Claim 2: A over 40 runs all succeeding has Wilson [0.912, 1].
	mul := func(task string, k, n int) []Row { return runsOf(task, "random", "multiply", 1, k, n) }
	checkVerdict(t, "C2 40 of 40, dot 0 of 10", claimMultiplyAlmostEverywhere(claimsOn(concatRows(mul("concat", 40, 40), mul("dot", 0, 10)))), verdictConfirmed)
	checkVerdict(t, "C2 10 of 10 is too few", claimMultiplyAlmostEverywhere(claimsOn(concatRows(mul("concat", 10, 10), mul("dot", 0, 10)))), verdictInconclusive)
	checkVerdict(t, "C2 A low", claimMultiplyAlmostEverywhere(claimsOn(concatRows(mul("concat", 5, 20), mul("dot", 0, 10)))), verdictContradicted)
	checkVerdict(t, "C2 B high", claimMultiplyAlmostEverywhere(claimsOn(concatRows(mul("concat", 40, 40), mul("dot", 40, 40)))), verdictContradicted)
	checkVerdict(t, "C2 no B", claimMultiplyAlmostEverywhere(claimsOn(mul("concat", 40, 40))), verdictNoData)
	// An error row is a failure even if its accuracy cell says 1: 39 of 40.
	failed := errorRow("concat", "random", "multiply", 40, "boom")
	failed.Accuracy = 1
	withError := concatRows(mul("concat", 39, 39), []Row{failed}, mul("dot", 0, 10))
	if r := claimMultiplyAlmostEverywhere(claimsOn(withError)); r.Verdict != verdictInconclusive || !strings.Contains(r.Numbers, "(39 of 40)") {
		t.Errorf("C2 an error counts as a failure: %s: %s", r.Verdict, r.Numbers)
	}

	// Claim 3.
	simpleDot := func(k, n int) []Row { return runsOf("dot", "many_hot", "multiply_simple", 1, k, n) }
	checkVerdict(t, "C3 40 of 40", claimSimpleDot(claimsOn(simpleDot(40, 40))), verdictConfirmed)
	checkVerdict(t, "C3 4 of 4", claimSimpleDot(claimsOn(simpleDot(4, 4))), verdictInconclusive)
	checkVerdict(t, "C3 2 of 10", claimSimpleDot(claimsOn(simpleDot(2, 10))), verdictContradicted)
	checkVerdict(t, "C3 none", claimSimpleDot(claimsOn(mul("dot", 1, 1))), verdictNoData)
	notInformative := claimsOn(simpleDot(40, 40))
	notInformative.informative = func(Row) bool { return false }
	checkVerdict(t, "C3 trivially passable runs do not count", claimSimpleDot(notInformative), verdictNoData)

	// Claim 4: Wilson(0, 10) is [0, 0.278]; Wilson(0, 2) reaches 0.658.
	sum := func(net string, k, n int) []Row { return runsOf("reduce_sum", "random_pos", net, 1, k, n) }
	oneHotSum := runsOf("reduce_sum", "one_hot", "multiply", 1, 5, 5)
	checkVerdict(t, "C4 none pass", claimReduceSumHard(claimsOn(concatRows(sum("multiply", 0, 10), sum("multiply_simple", 0, 10), oneHotSum))), verdictConfirmed)
	checkVerdict(t, "C4 few runs", claimReduceSumHard(claimsOn(concatRows(sum("multiply", 0, 10), sum("multiply_simple", 0, 2)))), verdictInconclusive)
	checkVerdict(t, "C4 one does well", claimReduceSumHard(claimsOn(concatRows(sum("multiply", 10, 10), sum("multiply_simple", 0, 10)))), verdictContradicted)
	checkVerdict(t, "C4 no runs", claimReduceSumHard(claimsOn(oneHotSum)), verdictNoData)

	// Claim 5: Wilson(10, 10) is [0.722, 1], Wilson(1, 1) [0.207, 1].
	oh := func(net string, k, n int) []Row { return runsOf("concat", "one_hot", net, 1, k, n) }
	checkVerdict(t, "C5 all do", claimOneHotMostly(claimsOn(concatRows(oh("multiply", 10, 10), oh("dense-1-relu", 10, 10)))), verdictConfirmed)
	checkVerdict(t, "C5 half do not", claimOneHotMostly(claimsOn(concatRows(oh("multiply", 10, 10), oh("dense-1-relu", 0, 10)))), verdictContradicted)
	checkVerdict(t, "C5 one seed", claimOneHotMostly(claimsOn(concatRows(oh("multiply", 1, 1), oh("dense-1-relu", 1, 1)))), verdictInconclusive)
	checkVerdict(t, "C5 no one_hot", claimOneHotMostly(claimsOn(mul("concat", 1, 1))), verdictNoData)

	// Claim 6 is untestable; a mismatch run that passed is named.
	sig := runsOf("reduce_sum", "many_hot", "dense-1-sigmoid", 1, 1, 2)
	r6 := claimActivationRange(claimsOn(sig))
	if r6.Verdict != verdictUntestable || !strings.Contains(r6.Numbers, "2 mismatch runs, 1 of them failed") ||
		!strings.Contains(r6.Numbers, "should be impossible: reduce_sum/many_hot/dense-1-sigmoid/1") {
		t.Errorf("C6: %s: %s", r6.Verdict, r6.Numbers)
	}

	// Claim 7: plain against residual, paired by depth, activation, cell and seed.
	checkVerdict(t, "C7 plain better everywhere", claimResidualWorse(claimsOn(concatRows(gridRuns("dense-2-relu", 1, all),
		gridRuns("dense_residual-2-relu", 1, none)))), verdictConfirmed)
	checkVerdict(t, "C7 a handful", claimResidualWorse(claimsOn(concatRows(gridRuns("dense-2-relu", 1, all),
		gridRuns("dense_residual-2-relu", 1, func(i int) bool { return i >= 3 })))), verdictInconclusive)
	checkVerdict(t, "C7 residual better", claimResidualWorse(claimsOn(concatRows(gridRuns("dense-3-tanh", 2, none),
		gridRuns("dense_residual-3-tanh", 2, all)))), verdictContradicted)
	checkVerdict(t, "C7 no pairs", claimResidualWorse(claimsOn(concatRows(gridRuns("dense-2-relu", 1, all), gridRuns("dense_residual-3-relu", 1, all)))), verdictNoData)
	if r := claimResidualWorse(claimsOn(concatRows(gridRuns("dense-2-relu", 1, all), gridRuns("dense_residual-2-relu", 1, none)))); !strings.Contains(r.Numbers, "12 paired runs") ||
		!strings.Contains(r.Numbers, "only plain succeeded in 12, only residual in 0 (McNemar p = 0.000488, counting runs as independent; by cell, 12 : 0 cells, p = 0.000488)") ||
		!strings.Contains(r.Numbers, "Strict metric, informative runs of depth 2 and 3: plain 12 of 12 (100.0%), residual 0 of 12 (0.0%).") {
		t.Errorf("C7 numbers: %s", r.Numbers)
	}

	// Claim 8: g is the accuracy here; ten seeds of XOR below AND and OR give
	// sign tests 10:0, p = 0.002.
	logic := func(net string, seeds int, and, or, xor float64) []Row {
		var rows []Row
		for s := 1; s <= seeds; s++ {
			rows = append(rows, claimRow("logical_and", "many_hot", net, uint64(s), and), claimRow("logical_or", "many_hot", net, uint64(s), or),
				claimRow("logical_xor", "many_hot", net, uint64(s), xor))
		}
		return rows
	}
	partial := []Row{claimRow("logical_and", "many_hot", "dense-1-tanh", 1, 1), claimRow("logical_xor", "many_hot", "dense-1-tanh", 1, 1)}
	checkVerdict(t, "C8 every", claimXorHardest(claimsOn(concatRows(logic("multiply", 10, 1, 1, 0.5), logic("dense-1-relu", 10, 0.9, 0.95, 0.6), partial))), verdictConfirmed)
	checkVerdict(t, "C8 one seed", claimXorHardest(claimsOn(logic("multiply", 1, 1, 1, 0.5))), verdictInconclusive)
	checkVerdict(t, "C8 all equal", claimXorHardest(claimsOn(concatRows(logic("multiply", 10, 1, 1, 0.5), logic("dense-1-relu", 10, 1, 1, 1)))), verdictInconclusive)
	checkVerdict(t, "C8 easier for one", claimXorHardest(claimsOn(concatRows(logic("multiply", 10, 1, 1, 0.5), logic("dense-1-relu", 10, 0.6, 1, 0.9)))), verdictContradicted)
	checkVerdict(t, "C8 no data", claimXorHardest(claimsOn(partial)), verdictNoData)
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

// TestCountWords checks the counts the report prints: thousands separated,
// and a word in the singular only for one.
func TestCountWords(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{thousands(0), "0"}, {thousands(999), "999"}, {thousands(8910), "8,910"}, {thousands(-1234567), "-1,234,567"},
		{plural(1, "row"), "1 row"}, {plural(0, "row"), "0 rows"}, {plural(3888, "row"), "3,888 rows"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestPaperGridSize checks the grid count against the sweep's own plan.
func TestPaperGridSize(t *testing.T) {
	plan, err := newPlan(paperProtocol(), Selection{})
	if err != nil {
		t.Fatal(err)
	}
	if paperGridSize() != len(plan.Experiments) { // the number itself: TestPaperFacts
		t.Errorf("paper grid %d, plan %d", paperGridSize(), len(plan.Experiments))
	}
}

// mustContain fails the test for each of wants that text, the contents of
// the file called name, lacks.
func mustContain(t *testing.T, name, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", name, want)
		}
	}
}

// reportFor writes rows as dir's results file, makes the report and
// returns report.md.
func reportFor(t *testing.T, dir string, rows []Row) string {
	t.Helper()
	writeResultsFile(t, dir, rows, "")
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	return string(readReportFile(t, dir, reportName))
}

// TestReportLeavesDroppedOut: rows the replay's nan-drop lost count as done
// in the status line, are noted per dataset, and enter no statistic (the
// original's tables lacked them), unlike rows that failed with an error.
func TestReportLeavesDroppedOut(t *testing.T) {
	p := paperProtocol()
	p.Replay = 1 << replayNaNDrop
	rows := []Row{
		reportRow("reduce_sum", "random", "multiply", 1, 1),
		errorRow("reduce_sum", "random", "dense-1-linear", 1, nanDropError),
		errorRow("reduce_sum", "many_hot", "dense-1-linear", 1, nanDropError),
		reportRow("dot", "random", "multiply", 1, 0.5),
	}
	for i := range rows {
		rows[i].Protocol = p.String()
	}
	dir := t.TempDir()
	md := reportFor(t, dir, rows)
	mustContain(t, reportName, md,
		fmt.Sprintf("INCOMPLETE: 4 of %d experiments of the paper grid for seed(s) 1.", paperGridSize()),
		"Note: 2 experiments of analysed pairs were dropped as the original dropped them",
		"Per dataset: many_hot 1, random 1.",
		"No experiment failed with an error.")
	s, err := loadStudy(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.analysed) != 2 || len(s.dropped) != 2 {
		t.Errorf("%d rows analysed and %d dropped, want 2 and 2", len(s.analysed), len(s.dropped))
	}
}

// TestGapShare: the share of the gap closed is 0 at or below the best
// constant, whatever the constant scores, and 1 at a perfect score.
func TestGapShare(t *testing.T) {
	for _, c := range []struct{ acc, best, want float64 }{
		{1, 0.75, 1}, {0.875, 0.75, 0.5}, {0.75, 0.75, 0}, {0, 0.75, 0}, {0, 0.5, 0}, {0.75, 0.5, 0.5},
	} {
		if got := gapShare(c.acc, c.best); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("gapShare(%g, %g) = %g, want %g", c.acc, c.best, got, c.want)
		}
	}
}

// TestRulesSayWhatTheyCannotReach: the fewest runs, all successes, whose
// Wilson interval lies at or above 0.9 is 35 (34 give a lower bound below
// it); the fewest seeds for a sign test below 0.05 is 6 alone and 12 under
// Holm over 54 tests (2^-10·54 = 0.053, 2^-11·54 = 0.026). Claim 3 on 30
// runs, all successes, says it cannot confirm and stays inconclusive;
// claim 8 with ten seeds for 27 networks says it cannot contradict.
func TestRulesSayWhatTheyCannotReach(t *testing.T) {
	if lo, _ := wilson(34, 34); lo >= 0.9 {
		t.Errorf("wilson(34, 34) lower bound %g, want below 0.9", lo)
	}
	if n := runsToShowAtLeast(0.9); n != 35 {
		t.Errorf("runsToShowAtLeast(0.9) = %d, want 35", n)
	}
	if a, b := seedsToShow(1), seedsToShow(54); a != 6 || b != 12 {
		t.Errorf("seedsToShow(1), seedsToShow(54) = %d, %d, want 6, 12", a, b)
	}
	var dots []Row
	for seed := uint64(1); seed <= 10; seed++ {
		for _, d := range []string{"many_hot", "random", "random_pos"} {
			dots = append(dots, claimRow("dot", d, "multiply_simple", seed, 1))
		}
	}
	r := claimSimpleDot(claimsOn(dots))
	if r.Verdict != verdictInconclusive || !strings.Contains(r.Numbers, "With 30 runs this reading cannot come out at or above 0.9 whatever they show: a Wilson interval lies there only from 35 runs, all successes.") {
		t.Errorf("claim 3 on 30 successes: %s: %s", r.Verdict, r.Numbers)
	}
	gaps := map[string]map[uint64][3]float64{}
	for _, n := range paperNetworks {
		gaps[n.Name] = map[uint64][3]float64{}
		for seed := uint64(1); seed <= 10; seed++ {
			gaps[n.Name][seed] = [3]float64{1, 1, 0}
		}
	}
	if got := xorReach(gaps, 54); !strings.Contains(got, "cannot be shown easier for any (Holm over 54 comparisons): that needs 12 seeds") || strings.Contains(got, "hardest") {
		t.Errorf("xorReach with ten seeds: %q", got)
	}
}

// TestCellSignTest: three cells where A succeeds and B fails in each of
// three seeds are 9 : 0 discordant places (McNemar p = 2^-8) but 3 : 0
// cells (sign test p = 0.25); a cell split 1 : 1 votes for neither.
func TestCellSignTest(t *testing.T) {
	var pairs []runPair
	for _, task := range []string{"dot", "concat", "reduce_max"} {
		for seed := uint64(1); seed <= 3; seed++ {
			pairs = append(pairs, runPair{place{task, "random", seed}, claimRow(task, "random", "multiply", seed, 1), claimRow(task, "random", "dense-1-linear", seed, 0.5)})
		}
	}
	pairs = append(pairs,
		runPair{place{"equality", "random", 1}, claimRow("equality", "random", "multiply", 1, 1), claimRow("equality", "random", "dense-1-linear", 1, 0.5)},
		runPair{place{"equality", "random", 2}, claimRow("equality", "random", "multiply", 2, 0.5), claimRow("equality", "random", "dense-1-linear", 2, 1)})
	c := comparePairs(pairs, 0.99)
	if c.OnlyA != 10 || c.OnlyB != 1 || c.CellsA != 3 || c.CellsB != 0 || math.Abs(c.CellSignP-0.25) > 1e-12 {
		t.Errorf("places %d : %d, cells %d : %d, p = %g; want 10 : 1, 3 : 0, p = 0.25", c.OnlyA, c.OnlyB, c.CellsA, c.CellsB, c.CellSignP)
	}
	if got := c.cellsText(); got != "3 : 0 cells, p = 0.25" {
		t.Errorf("cellsText() = %q", got)
	}
}

// TestSignedPP: differences print to 0.1 pp, exact 0 without a sign, and a
// bound that would round to ±0.0 with two significant digits.
func TestSignedPP(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{0, "0.0"}, {0.2143, "+21.4"}, {-0.05, "-5.0"}, {0.0003, "+0.03"}, {-0.0004, "-0.04"}, {1e-6, "+0.0001"}} {
		if got := signedPP(c.x); got != c.want {
			t.Errorf("signedPP(%g) = %q, want %q", c.x, got, c.want)
		}
	}
}

// TestStatusSaysTheRunContinues: a folder whose last run was stopped
// before the experiments it selected were done says so, with the command
// that continues it.
func TestStatusSaysTheRunContinues(t *testing.T) {
	dir := t.TempDir()
	writeResultsFile(t, dir, []Row{reportRow("dot", "random", "multiply", 1, 1)}, "")
	inv := Invocation{Command: "go run . -seeds 10", Selected: 8910, Ran: 1, Interrupted: true, StoppedBy: "SIGINT"}
	if err := appendInvocation(dir, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	mustContain(t, reportName, string(readReportFile(t, dir, reportName)),
		"The last run into this folder (`go run . -seeds 10`) was stopped with 8,909 of the experiments it selected still to do (8,910 selected; the file holds 1 row); the same command continues it.")
}

// TestPercentRounding: pct rounds down (98.99% is not a success), pctUp,
// for an interval's upper bound, rounds up; both keep exact tenths, and
// an upper bound of 0 prints as 0.0%, not -0.0%.
func TestPercentRounding(t *testing.T) {
	for _, c := range []struct {
		x        float64
		down, up string
	}{{0.98999, "98.9%", "99.0%"}, {0.99, "99.0%", "99.0%"}, {0.43449, "43.4%", "43.5%"}, {0.7934, "79.3%", "79.4%"},
		{0, "0.0%", "0.0%"}, {1, "100.0%", "100.0%"}, {0.5, "50.0%", "50.0%"}, {0.123, "12.3%", "12.3%"}} {
		if got := pct(c.x); got != c.down {
			t.Errorf("pct(%g) = %s, want %s", c.x, got, c.down)
		}
		if got := pctUp(c.x); got != c.up {
			t.Errorf("pctUp(%g) = %s, want %s", c.x, got, c.up)
		}
	}
}
