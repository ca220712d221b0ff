package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPaperFacts holds the article's numbers, the only test that writes
// them out: 27 networks, 12 tasks, 33 of the 48 (task, dataset) pairs
// analysed, 891 experiments per seed (1,296 with the excluded pairs).
// Every other test derives its counts from paperNetworks, paperTasks and
// paperGridSize.
func TestPaperFacts(t *testing.T) {
	if len(paperNetworks) != 27 || len(paperTasks) != 12 || len(datasetNames) != 4 {
		t.Fatalf("%d networks, %d tasks, %d datasets; want 27, 12, 4", len(paperNetworks), len(paperTasks), len(datasetNames))
	}
	if first, last := paperNetworks[0].Name, paperNetworks[26].Name; first != "dense-1-linear" || last != "multiply_simple" {
		t.Errorf("paper networks run %s .. %s", first, last)
	}
	kept := 0
	for _, task := range paperTasks {
		for _, d := range datasetNames {
			kept += b2i(exclusionReason(task.Name, d) == "")
		}
	}
	if kept != 33 {
		t.Errorf("%d pairs analysed, want 33", kept)
	}
	if paperGridSize() != 891 {
		t.Errorf("paperGridSize() = %d, want 891", paperGridSize())
	}
	for _, c := range []struct {
		sel  Selection
		want int
	}{{Selection{}, 891}, {Selection{All: true}, 1296}, {Selection{Seed: 1, Seeds: 10}, 8910}} {
		plan, err := newPlan(paperProtocol(), c.sel)
		if err != nil || len(plan.Experiments) != c.want {
			t.Errorf("%+v: %d experiments (%v), want %d", c.sel, len(plan.Experiments), err, c.want)
		}
	}
}

// TestRegistry checks the registry against its sources: the paper's
// networks then one per arithmeticUnits line, the paper's tasks then
// extraTasks, every name found, the paper grid marked; the default plan
// holds the paper grid only, a unit runs when named, an unknown name's
// error lists both parts of the registry, the usage names every unit, and
// a name registered twice panics.
func TestRegistry(t *testing.T) {
	if len(networks) != len(paperNetworks)+len(arithmeticUnits) || len(tasks) != len(paperTasks)+len(extraTasks) {
		t.Fatalf("%d networks, %d tasks registered", len(networks), len(tasks))
	}
	for i, n := range networks {
		got, err := findNetwork(n.Name)
		if err != nil || got != n {
			t.Errorf("findNetwork(%q) = %v, %v", n.Name, got, err)
		}
		paper := i < len(paperNetworks)
		if isPaperNetwork(n.Name) != paper || (paper && n != paperNetworks[i]) || (!paper && n != arithmeticUnits[i-len(paperNetworks)].NetworkSpec()) {
			t.Errorf("network %d %s: out of place (paper %v)", i, n.Name, paper)
		}
		if !paper && !strings.Contains(usageText, n.Name) {
			t.Errorf("the usage does not name %s", n.Name)
		}
	}
	for i, task := range tasks {
		if got, err := lookupTask(task.Name); err != nil || got.Name != task.Name || isPaperTask(task.Name) != (i < len(paperTasks)) {
			t.Errorf("lookupTask(%q) = %v, %v", task.Name, got.Name, err)
		}
	}
	plan, err := newPlan(paperProtocol(), Selection{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range plan.Experiments {
		if !inPaperGrid(e.Task.Name, e.Network.Name) {
			t.Fatalf("the default plan holds %s", e.Key())
		}
	}
	plan, err = newPlan(paperProtocol(), Selection{Networks: []string{"nac", "nalu"}})
	if err != nil || len(plan.Experiments) != 2*paperGridSize()/len(paperNetworks) {
		t.Errorf("-networks nac,nalu: %d experiments, %v", len(plan.Experiments), err)
	}
	_, err = findNetwork("dense-4-relu")
	msg := fmt.Sprint(err)
	if !strings.Contains(msg, "dense-1-linear") || !strings.Contains(msg, "multiply_simple (the paper grid); nac, ") ||
		!strings.Contains(msg, "bilinear-glu (beyond the paper") {
		t.Errorf("unknown network error = %v", err)
	}
	if _, err := lookupTask("sum"); err == nil || !strings.Contains(err.Error(), "logical_xor") {
		t.Errorf("unknown task error = %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `network "nac" registered twice`) {
			t.Errorf("a name registered twice: panic %v", r)
		}
	}()
	nameIndex("network", append(slices.Clip(networks), networks[len(paperNetworks)]), func(n NetworkSpec) string { return n.Name })
}

// ---------------------------------------------------------------------------
// A toy network and a toy task, registered by this test file alone: what
// adding a network or a task takes.

// toySum is the toy network: out (N,O) = (a + b) · W, W (W,O). A network
// beyond the paper's is a type like this one (its parameters, Init and its
// forward, Record; noHooks for the two hooks it does not need) and one
// registry line, toyUnit.
type toySum struct {
	noHooks
	W *Node // (W,O)
}

func (n *toySum) Params() []*Node { return []*Node{n.W} }

func (n *toySum) Init(seed uint64) {
	r := unitRNG(seed)
	l := glorotLimit(n.W.Value.Rows, n.W.Value.Cols)
	uniformFill(&r, n.W.Value, -l, l)
}

func (n *toySum) Record(t *Tape, a, b *Node) *Node { return t.MatMul(t.Add(a, b), n.W) }

// toyUnit is toySum's registry line, as it would be in arithmeticUnits.
var toyUnit = unitSpec{"toy-sum", 1, func(bus, _, out int) arithmeticUnit { return &toySum{W: newParam(bus, out)} }}

// toyTask is the toy task's table entry, as it would be in extraTasks: the
// mean over i of a_i + b_i, width 1, left out on one_hot.
var toyTask = Task{"toy_task", 1, func(a, b, out []float32) {
	var s float64
	for i := range a {
		s += float64(a[i]) + float64(b[i])
	}
	out[0] = float32(s / float64(len(a)))
}, exclusion{[]datasetKind{oneHot}, "toy: not on one_hot"}}

// registerForTest adds units and tasks to the registry for the rest of
// the test: the registry is package-level slices built at start-up from
// arithmeticUnits and extraTasks, so the test appends to those (to a copy:
// slices.Clip) and rebuilds networks, tasks and their indexes; t.Cleanup
// puts the originals back and rebuilds again. Tests calling it must not
// run in parallel with others.
func registerForTest(t *testing.T, units []unitSpec, extra []Task) {
	t.Helper()
	savedUnits, savedTasks := arithmeticUnits, extraTasks
	rebuild := func() {
		networks, networkIndex = registerNetworks()
		tasks, taskIndex = registerTasks()
	}
	t.Cleanup(func() {
		arithmeticUnits, extraTasks = savedUnits, savedTasks
		rebuild()
	})
	arithmeticUnits = append(slices.Clip(arithmeticUnits), units...)
	extraTasks = append(slices.Clip(extraTasks), extra...)
	rebuild()
}

// TestToyNetworkAndTask registers toy-sum and toy_task in this file alone
// and takes them through the gradient check, the model's training step, a
// small sweep beside two of the paper's networks and tasks, and the
// report: they appear in the summary and heat maps, beside the claims,
// whose verdicts and numbers are those of the same file without them.
func TestToyNetworkAndTask(t *testing.T) {
	paperSize := paperGridSize()
	registerForTest(t, []unitSpec{toyUnit}, []Task{toyTask})
	spec, err := findNetwork("toy-sum")
	if err != nil || isPaperNetwork("toy-sum") || isPaperTask("toy_task") {
		t.Fatalf("toy-sum: %v", err)
	}
	if paperGridSize() != paperSize {
		t.Fatalf("registering the toy changed paperGridSize from %d to %d", paperSize, paperGridSize())
	}
	if _, err := findNetwork("toy-summ"); err == nil || !strings.Contains(err.Error(), "bilinear-glu, toy-sum (beyond the paper") {
		t.Errorf("unknown network error = %v", err)
	}
	if _, err := lookupTask("toy"); err == nil || !strings.Contains(err.Error(), "logical_xor (the paper grid); toy_task (beyond") {
		t.Errorf("unknown task error = %v", err)
	}

	// The gradient check, on the network as the registry builds it.
	net, err := buildNetwork(spec, 3, 5, 4)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(7)
	net.Init(1)
	tp := newTape()
	a, b := unitParam(&r, 2, 3, [2]float32{-1, 1}), unitParam(&r, 2, 3, [2]float32{-1, 1})
	checkUnitGradients(t, "toy-sum", tp, net.Record(tp, a, b), append(net.Params(), a, b), &r)

	// A small sweep: the toy and two of the paper's networks and tasks.
	p := quickProtocol()
	p.GridSteps, p.LongSteps, p.LRs = 20, 0, []float64{1e-2, 1e-1}
	p.ValSize, p.TestSize = 512, 512
	dir := t.TempDir()
	sel := Selection{Tasks: []string{"toy_task", "reduce_sum", "dot"}, Datasets: []string{"random", "one_hot"},
		Networks: []string{"toy-sum", "multiply", "multiply_simple"}}
	if err := runSweep(t, context.Background(), p, sel, dir, 2, nil); err != nil {
		t.Fatal(err)
	}
	// toy_task and reduce_sum are excluded on one_hot: 4 pairs x 3 networks.
	if rows := readRows(t, filepath.Join(dir, resultsName)); len(rows) != 4*3 {
		t.Fatalf("%d rows, want 12", len(rows))
	}

	// The report, and the same report without the toy's rows.
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, filepath.Join(dir, reportName))
	data, err := os.ReadFile(filepath.Join(dir, resultsName))
	if err != nil {
		t.Fatal(err)
	}
	var paperOnly []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if !strings.Contains(line, "toy") {
			paperOnly = append(paperOnly, line)
		}
	}
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, resultsName), []byte(strings.Join(paperOnly, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := writeReport(dir2); err != nil {
		t.Fatal(err)
	}
	md2 := readFile(t, filepath.Join(dir2, reportName))
	claims := func(md string) string {
		i, j := strings.Index(md, "## 4. The article's claims"), strings.Index(md, "## 5. ")
		if i < 0 || j < i {
			t.Fatalf("no claims section in\n%s", md)
		}
		return md[i:j]
	}
	if claims(md) != claims(md2) {
		t.Errorf("the toy's rows changed the claims:\n%s\n--- without them ---\n%s", claims(md), claims(md2))
	}
	if strings.Contains(claims(md), "toy") {
		t.Errorf("the claims mention the toy:\n%s", claims(md))
	}
	status := fmt.Sprintf("INCOMPLETE: %d of %d experiments of the paper grid", 3*2, paperGridSize()) // 3 paper pairs x 2 paper networks
	if !strings.Contains(md, status) || !strings.Contains(md2, status) {
		t.Errorf("status: want %q in both reports", status)
	}
	summary := md[strings.Index(md, "## 1. "):strings.Index(md, "## 2. ")]
	if !strings.Contains(summary, "| toy-sum |") {
		t.Errorf("the summary does not list toy-sum:\n%s", summary)
	}
	heat := readFile(t, filepath.Join(dir, heatmapName("random")))
	if !strings.Contains(heat, ">toy-sum<") || !strings.Contains(heat, ">toy_task<") || strings.Contains(heat, ">nac<") {
		t.Errorf("the random heat map should show toy-sum and toy_task beside the paper grid, and no unit without runs")
	}
}

// readFile returns the file's text or fails the test.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// paperNetworkNames returns the names of the paper's networks, in order.
func paperNetworkNames() []string {
	var names []string
	for _, n := range paperNetworks {
		names = append(names, n.Name)
	}
	return names
}
