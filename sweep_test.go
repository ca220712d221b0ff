package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// benchModel returns a model of spec at the benchmark's shapes (batch 32,
// inputs 2 x 128, output width 128) with random inputs and labels loaded.
func benchModel(tb testing.TB, spec NetworkSpec, data datasetKind) *model {
	m, err := newModel(spec, 128, 32, skipZeros(data), 0)
	if err != nil {
		tb.Fatal(err)
	}
	m.net.Init(1)
	m.opt.Reset(1e-3)
	r := newRNG(2)
	for i := 0; i < 32; i++ {
		drawRecord(data, &r, m.a.Value.Row(i), m.b.Value.Row(i))
	}
	fill(&r, m.label.Value, -1, 1)
	return m
}

// BenchmarkTrainStep measures one full training step (forward, MSE loss,
// backward, Adam update) of every paper network at batch 32, inputs 2 x 128
// (random), output width 128, and reports steps/s. Run with -benchmem: a
// step allocates nothing.
func BenchmarkTrainStep(b *testing.B) {
	for _, spec := range paperNetworks { // the units: BenchmarkUnitStep
		b.Run(spec.Name, func(b *testing.B) {
			m := benchModel(b, spec, random)
			m.step()
			b.ReportAllocs()
			for b.Loop() {
				m.step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// TestTrainStepAllocatesNothing checks the rule the benchmark shows: once a
// model exists, a training step allocates zero bytes, for every registered
// network (the units through the same model, Constrain included), and for
// the units with a regulariser also with the sparsity option on.
func TestTrainStepAllocatesNothing(t *testing.T) {
	for _, spec := range networks {
		m := benchModel(t, spec, random)
		if allocs := testing.AllocsPerRun(3, func() { m.step() }); allocs != 0 {
			t.Errorf("%s: %v allocations per step", spec.Name, allocs)
		}
		if m.lambda != nil {
			m.sparsity = true
			m.startTrial(1, 1e-3, 4) // λ ramps over these steps
			if allocs := testing.AllocsPerRun(3, func() { m.step() }); allocs != 0 {
				t.Errorf("%s with sparsity: %v allocations per step", spec.Name, allocs)
			}
		}
	}
}

// TestModelUnitHooks checks the units' two hooks through the training
// model: Constrain after every step (at learning rate 1, which throws the
// weights out of range, the constrained units' parameters stay in it), and
// the sparsity option: off by default, λ stays 0; on, λ follows
// sparsityLambda over the trial's steps and the loss includes the term.
// The paper's networks have no regulariser.
func TestModelUnitHooks(t *testing.T) {
	for _, spec := range networks {
		m := benchModel(t, spec, random)
		if isPaperNetwork(spec.Name) {
			if m.lambda != nil {
				t.Errorf("%s: a paper network with a regulariser", spec.Name)
			}
			continue
		}
		const steps = 10
		m.startTrial(3, 1, steps)
		for k := 0; k < steps; k++ {
			m.step()
		}
		if !constraintsHold(m.net) {
			t.Errorf("%s: a parameter out of range after the model's steps", spec.Name)
		}
		if m.lambda == nil {
			continue
		}
		if m.lambda.Value.Data[0] != 0 {
			t.Errorf("%s: λ = %g with the sparsity option off", spec.Name, m.lambda.Value.Data[0])
		}
		mse := func() float64 { // of the predictions the last step made
			var s float64
			for i, p := range m.out.Value.Data {
				d := float64(p) - float64(m.label.Value.Data[i])
				s += d * d
			}
			return s / float64(len(m.out.Value.Data))
		}
		m.startTrial(3, 1e-3, steps)
		if loss := float64(m.step()); math.Abs(loss-mse()) > 1e-5*mse() {
			t.Errorf("%s: sparsity off, loss %g, MSE %g", spec.Name, loss, mse())
		}
		m.sparsity = true
		m.startTrial(3, 1e-3, steps)
		for k := 0; k < steps; k++ {
			loss := float64(m.step())
			if got, want := m.lambda.Value.Data[0], sparsityLambda(k, steps); got != want {
				t.Errorf("%s step %d: λ = %g, want %g", spec.Name, k, got, want)
			}
			if k == steps-1 && !(loss-mse() > 1e-4) {
				t.Errorf("%s: sparsity on at λ = %g, loss %g, MSE %g: no regulariser term", spec.Name, m.lambda.Value.Data[0], loss, mse())
			}
		}
	}
}

// scriptedTrainer is a trainer whose trials return chosen validation
// measures, so that gridThenLong's rules can be checked one by one. acc[i]
// and loss[i] are the grid trial at p.LRs[i]; long is the long run's.
type scriptedTrainer struct {
	p        Protocol
	acc      []float64
	loss     []float64
	long     evalResult
	diverged map[int]bool // grid trials that diverge
	calls    []string     // "train <lr> <steps>" and "test", in order
	last     evalResult
}

// train records the call and returns the scripted validation measures of
// the trial at lr: the long run's for the long run, a diverged trial's
// (accuracy 0, loss +Inf, 17 steps) where scripted so.
func (s *scriptedTrainer) train(kind trialKind, lr float64, steps int) trialResult {
	s.calls = append(s.calls, fmt.Sprintf("train %s %d", formatFloat(lr), steps))
	r := trialResult{LR: lr, Steps: steps}
	if kind == longTrial {
		r.Val = s.long
	} else {
		i := indexOf(s.p.LRs, lr)
		if s.diverged[i] {
			r.Diverged, r.Val, r.Steps = true, failedEval, 17
		} else {
			r.Val = evalResult{Accuracy: s.acc[i], Loss: s.loss[i]}
		}
	}
	s.last = r.Val
	return r
}

// test records the call and returns the last trial's measures shifted by a
// little, so that a test value cannot be mistaken for a validation one.
func (s *scriptedTrainer) test() testResult {
	s.calls = append(s.calls, "test")
	return testResult{evalResult: evalResult{Accuracy: s.last.Accuracy - 0.001, Loss: s.last.Loss + 1}} // distinguishable from Val
}

// indexOf returns the index of x in xs, or -1.
func indexOf(xs []float64, x float64) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// trainCalls returns the "train" calls of s, without the "test" ones.
func (s *scriptedTrainer) trainCalls() []string {
	var out []string
	for _, c := range s.calls {
		if strings.HasPrefix(c, "train") {
			out = append(out, c)
		}
	}
	return out
}

// TestGridStopsAtFirstSuccess: the first trial with validation accuracy >=
// 0.99 ends the search; no long run follows, and its test accuracy is measured.
func TestGridStopsAtFirstSuccess(t *testing.T) {
	p := paperProtocol()
	s := &scriptedTrainer{p: p,
		acc:  []float64{0.2, 0.5, 0.99, 1, 1, 1, 1, 1, 1},
		loss: []float64{0.9, 0.5, 0.01, 0, 0, 0, 0, 0, 0}}
	o := gridThenLong(p, s)
	if got := s.trainCalls(); fmt.Sprint(got) != "[train 1e-06 1000 train 1e-05 1000 train 0.0001 1000]" {
		t.Fatalf("trials %v: a success (accuracy >= 0.99) must end the grid, with no long run", got)
	}
	if o.Chosen.LR != 1e-4 || o.FromLong || o.Trials != 3 || o.TotalSteps != 3000 {
		t.Fatalf("outcome %+v", o)
	}
	if o.Chosen.Test.Accuracy != 0.99-0.001 {
		t.Fatalf("the chosen trial's test accuracy %v was not measured", o.Chosen.Test.Accuracy)
	}
}

// TestGridStopsAtSecondDecrease: the grid stops after the second sharp drop
// of validation accuracy, and the long run follows at the lowest-loss rate.
func TestGridStopsAtSecondDecrease(t *testing.T) {
	p := paperProtocol()
	// 0.6 -> 0.3 is a decrease (0.3 < 0.7·0.6); 0.3 -> 0.25 is not (0.25 >= 0.21);
	// 0.25 -> 0.1 is the second (0.1 < 0.175): the grid stops after five trials.
	s := &scriptedTrainer{p: p,
		acc:  []float64{0.5, 0.6, 0.3, 0.25, 0.1, 0.9, 0.9, 0.9, 0.9},
		loss: []float64{0.5, 0.4, 0.6, 0.7, 0.9, 0.1, 0.1, 0.1, 0.1},
		long: evalResult{Accuracy: 0.7, Loss: 0.3}}
	o := gridThenLong(p, s)
	calls := s.trainCalls()
	if len(calls) != 6 || calls[4] != "train 0.01 1000" || calls[5] != "train 1e-05 30000" {
		t.Fatalf("trials %v: want five grid trials, then the long run at the lowest-loss rate 1e-05", calls)
	}
	if !o.FromLong || o.Chosen.LR != 1e-5 || o.Chosen.Steps != 30000 || o.Trials != 6 || o.TotalSteps != 35000 {
		t.Fatalf("outcome %+v: the long run (0.7) beats the best grid trial (0.6) and is kept", o)
	}
}

// TestLowestValidationLossWinsAndBetterOfTwoIsKept: the long run uses the
// grid trial of lowest validation loss (not of highest accuracy), and the
// better of it and that trial is kept; a tie keeps the grid trial.
func TestLowestValidationLossWinsAndBetterOfTwoIsKept(t *testing.T) {
	p := paperProtocol()
	acc := []float64{0.1, 0.8, 0.7, 0.6, 0.65, 0.6, 0.62, 0.6, 0.61}
	loss := []float64{0.9, 0.3, 0.2, 0.25, 0.4, 0.5, 0.5, 0.5, 0.5} // lowest at 1e-4, not the most accurate 1e-5
	for _, c := range []struct {
		long     float64
		fromLong bool
	}{{0.75, true}, {0.7, false}, {0.5, false}} { // better, tied (the grid trial stays), worse
		s := &scriptedTrainer{p: p, acc: acc, loss: loss, long: evalResult{Accuracy: c.long, Loss: 0.1}}
		o := gridThenLong(p, s)
		calls := s.trainCalls()
		if len(calls) != 10 || calls[9] != "train 0.0001 30000" {
			t.Fatalf("trials %v: want all nine grid trials, then the long run at 1e-4 (lowest loss)", calls)
		}
		if o.FromLong != c.fromLong || o.Chosen.LR != 1e-4 {
			t.Fatalf("long run at %v: outcome %+v, want from long = %v", c.long, o, c.fromLong)
		}
		wantVal := 0.7
		if c.fromLong {
			wantVal = c.long
		}
		if o.Chosen.Val.Accuracy != wantVal || o.Chosen.Test.Accuracy != wantVal-0.001 {
			t.Fatalf("long run at %v: chosen val %v test %v", c.long, o.Chosen.Val.Accuracy, o.Chosen.Test.Accuracy)
		}
	}
}

// TestDivergedTrialsCountAndNeverWin: diverged trials are counted, take part
// in the stopping rule as accuracy 0, and are never chosen.
func TestDivergedTrialsCountAndNeverWin(t *testing.T) {
	p := paperProtocol()
	// Trials at 1, 10 and 100 diverge (accuracy 0, loss +Inf). 0.6 -> 0 is the first
	// decrease; 0 -> 0 is not a decrease, so the grid runs to the end.
	s := &scriptedTrainer{p: p,
		acc:      []float64{0.3, 0.4, 0.5, 0.55, 0.6, 0.6, 0, 0, 0},
		loss:     []float64{0.5, 0.4, 0.3, 0.2, 0.15, 0.16, 0, 0, 0},
		diverged: map[int]bool{6: true, 7: true, 8: true},
		long:     evalResult{Accuracy: 0.2, Loss: 1}}
	o := gridThenLong(p, s)
	if o.Trials != 10 || o.DivergedTrials != 3 || o.Chosen.LR != 0.01 || o.FromLong {
		t.Fatalf("outcome %+v", o)
	}
}

// tinyProtocol is a protocol small enough for tests: the full grid of
// learning rates with 20-step trials, a 40-step long run, checks every 10
// steps and 300 held-out records.
func tinyProtocol() Protocol {
	p := paperProtocol()
	p.GridSteps, p.LongSteps, p.CheckEvery = 20, 40, 10
	p.ValSize, p.TestSize = 300, 300
	return p
}

// TestLearnsForReal runs the real protocol, with its default steps, on two
// experiments the networks can solve exactly: dense-1-linear on
// elementwise_add (W = [I; I]) and multiply_simple on elementwise_mul (W =
// I), random inputs. Both must reach test accuracy >= 0.99.
func TestLearnsForReal(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	for _, c := range [][2]string{{"elementwise_add", "dense-1-linear"}, {"elementwise_mul", "multiply_simple"}} {
		task, _ := lookupTask(c[0])
		spec, _ := findNetwork(c[1])
		row, ok := runExperiment(context.Background(), paperProtocol(), Experiment{Task: task, Dataset: random, Network: spec, Seed: 1}, carriedLR{})
		if !ok || row.Error != "" {
			t.Fatalf("%s on %s: %v", c[1], c[0], row.Error)
		}
		if row.Accuracy < 0.99 {
			t.Errorf("%s on %s: test accuracy %v, want >= 0.99 (row %v)", c[1], c[0], row.Accuracy, row.fields())
		}
	}
}

// smallSelection is a handful of fast experiments over two datasets.
var smallSelection = Selection{
	Tasks: []string{"elementwise_add", "logical_and", "dot"}, Datasets: []string{"many_hot", "one_hot"},
	Networks: []string{"dense-1-linear", "multiply_simple"},
}

// stableFields returns a row's cells without the two that vary from run to
// run: datetime and wall seconds.
func stableFields(r Row) string {
	r.Datetime, r.WallSeconds = "", 0
	return strings.Join(r.fields(), ",")
}

// readRows reads a results file and returns its rows' stable fields, sorted,
// failing on duplicates.
func readRows(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, torn, err := readResults(data)
	if err != nil || torn != 0 {
		t.Fatalf("%s: %v (torn %d)", path, err, torn)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Key()] {
			t.Fatalf("%s: experiment %s twice", path, r.Key())
		}
		seen[r.Key()] = true
		out = append(out, stableFields(r))
	}
	sort.Strings(out)
	return out
}

// runSweep runs a sweep of sel under p into dir and fails the test on error.
func runSweep(t *testing.T, ctx context.Context, p Protocol, sel Selection, dir string, workers int, progress func(Progress)) error {
	t.Helper()
	plan, err := newPlan(p, sel)
	if err != nil {
		t.Fatal(err)
	}
	return sweep(ctx, plan, filepath.Join(dir, "results.csv"), workers, progress)
}

// TestSweepDeterminism runs one small sweep with 1 and with 2 workers: the
// rows must be identical apart from datetime and wall time.
func TestSweepDeterminism(t *testing.T) {
	p := tinyProtocol()
	one, two := t.TempDir(), t.TempDir()
	if err := runSweep(t, context.Background(), p, smallSelection, one, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := runSweep(t, context.Background(), p, smallSelection, two, 2, nil); err != nil {
		t.Fatal(err)
	}
	a, b := readRows(t, filepath.Join(one, "results.csv")), readRows(t, filepath.Join(two, "results.csv"))
	if len(a) != 12 { // 3 tasks x 2 datasets x 2 networks, none excluded
		t.Fatalf("%d rows, want 12", len(a))
	}
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("rows differ between 1 and 2 workers:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// TestSweepResume interrupts a sweep after three experiments, runs it again,
// and checks the file ends with exactly the rows of an uninterrupted sweep;
// then tears the last line (as a kill mid-write would) and checks a third
// run drops the torn part and redoes that experiment.
func TestSweepResume(t *testing.T) {
	p := tinyProtocol()
	whole, cut := t.TempDir(), t.TempDir()
	if err := runSweep(t, context.Background(), p, smallSelection, whole, 2, nil); err != nil {
		t.Fatal(err)
	}
	want := readRows(t, filepath.Join(whole, "results.csv"))

	ctx, cancel := context.WithCancel(context.Background())
	err := runSweep(t, ctx, p, smallSelection, cut, 2, func(pr Progress) {
		if pr.Done-pr.Skipped >= 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep returned %v", err)
	}
	path := filepath.Join(cut, "results.csv")
	if n := len(readRows(t, path)); n < 3 || n >= len(want) {
		t.Fatalf("after the interruption %d rows, want from 3 to %d", n, len(want)-1)
	}
	if err := runSweep(t, context.Background(), p, smallSelection, cut, 2, nil); err != nil {
		t.Fatal(err)
	}
	if got := readRows(t, path); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("resumed rows differ from an uninterrupted run:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	data, _ := os.ReadFile(path)
	lastStart := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	torn := data[:lastStart+(len(data)-lastStart)/2] // half of the last row, no newline
	if err := os.WriteFile(path, torn, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := readResults(torn); n == 0 {
		t.Fatal("readResults did not detect the torn line")
	}
	if err := runSweep(t, context.Background(), p, smallSelection, cut, 1, nil); err != nil {
		t.Fatal(err)
	}
	if got := readRows(t, path); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatal("after dropping a torn line the rows differ from an uninterrupted run")
	}
}

// TestSparseInputsTrainTheSame trains one network twice on one_hot and on
// many_hot batches, once with the inputs marked sparse (the products skip
// their zeros) and once not: after 30 steps of Adam the parameters agree
// within float32 rounding.
func TestSparseInputsTrainTheSame(t *testing.T) {
	for _, kind := range []datasetKind{oneHot, manyHot} {
		for _, name := range []string{"dense-2-relu", "multiply", "multiply_simple"} {
			spec, _ := findNetwork(name)
			var params [2][]float32
			for i, sparse := range []bool{false, true} {
				m, err := newModel(spec, 128, 32, sparse, 0)
				if err != nil {
					t.Fatal(err)
				}
				m.net.Init(3)
				m.opt.Reset(1e-3)
				d, _ := newData(kind, 1, 1000, 10, 10)
				r := newRNG(6)
				task, _ := lookupTask("elementwise_add")
				for step := 0; step < 30; step++ {
					d.fillTrainBatch(&r, m.a.Value, m.b.Value)
					task.labelBatch(m.label.Value, m.a.Value, m.b.Value)
					m.step()
				}
				for _, p := range m.net.Params() {
					params[i] = append(params[i], p.Value.Data...)
				}
			}
			worst := 0.0
			for j := range params[0] {
				worst = math.Max(worst, math.Abs(float64(params[0][j]-params[1][j])))
			}
			if worst > 1e-4 {
				t.Errorf("%s on %s: sparse and dense training differ by up to %g", name, datasetNames[kind], worst)
			}
		}
	}
}

// scriptedSteps is a stepper whose subset and whole-set validation measures
// follow a script, one entry per check, so that trainSteps' stopping rules
// can be checked without training.
type scriptedSteps struct {
	subset   []float64 // the subset's accuracy at the i-th subset check
	full     []float64 // the whole set's accuracy at the i-th whole-set measure
	nanAt    int       // the step whose loss is NaN (0: none)
	steps    int
	checks   int
	measures int
}

func (s *scriptedSteps) step() (float32, bool) {
	s.steps++
	if s.steps == s.nanAt {
		return float32(math.NaN()), false
	}
	return 1, false
}

func (s *scriptedSteps) checkSubset() float64 {
	s.checks++
	return s.subset[min(s.checks, len(s.subset))-1]
}

func (s *scriptedSteps) validate() evalResult {
	s.measures++
	return evalResult{Accuracy: s.full[min(s.measures, len(s.full))-1], Loss: 0.5}
}

// TestTrainStepsConfirmsEarlyStop: a subset that reaches the target stops a
// training only when the whole validation set confirms it; a rejected check
// lets it go on; every check is counted.
func TestTrainStepsConfirmsEarlyStop(t *testing.T) {
	p := tinyProtocol() // checks every 10 steps
	cases := []struct {
		name                string
		s                   scriptedSteps
		steps               int
		wantSteps           int
		wantConfirmed       int
		wantRejected        int
		wantVal             float64
		wantDiverged        bool
		wantChecks, wantMsr int
	}{
		{"subset passes, whole set does not, to the end", scriptedSteps{subset: []float64{1}, full: []float64{0.98}},
			40, 40, 0, 3, 0.98, false, 3, 4},
		{"rejected, then confirmed", scriptedSteps{subset: []float64{0.5, 0.995, 0.999}, full: []float64{0.985, 0.992}},
			100, 30, 1, 1, 0.992, false, 3, 2},
		{"subset never passes", scriptedSteps{subset: []float64{0.9}, full: []float64{0.999}},
			40, 40, 0, 0, 0.999, false, 3, 1},
		{"diverges", scriptedSteps{subset: []float64{1}, full: []float64{0.5}, nanAt: 15},
			40, 15, 0, 1, 0, true, 1, 1},
	}
	for _, c := range cases {
		res := trainSteps(p, c.steps, &c.s)
		if res.Steps != c.wantSteps || res.ChecksConfirmed != c.wantConfirmed || res.ChecksRejected != c.wantRejected ||
			res.Val.Accuracy != c.wantVal || res.Diverged != c.wantDiverged || c.s.checks != c.wantChecks || c.s.measures != c.wantMsr {
			t.Errorf("%s: steps %d, confirmed %d, rejected %d, val %v, diverged %v, %d subset checks, %d whole-set measures; "+
				"want %d, %d, %d, %v, %v, %d, %d", c.name, res.Steps, res.ChecksConfirmed, res.ChecksRejected, res.Val.Accuracy,
				res.Diverged, c.s.checks, c.s.measures, c.wantSteps, c.wantConfirmed, c.wantRejected, c.wantVal, c.wantDiverged,
				c.wantChecks, c.wantMsr)
		}
	}
}

// TestLongRunDrawsAfresh: the long run is a fresh network, not a replay of
// a grid trial: at the same learning rate and steps it starts from other
// weights and batches, while a grid trial repeated is the same trial.
func TestLongRunDrawsAfresh(t *testing.T) {
	task, _ := lookupTask("elementwise_add")
	spec, _ := findNetwork("dense-1-linear")
	p := tinyProtocol()
	r, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: random, Network: spec, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	grid1 := r.train(gridTrial, 1e-3, 20)
	grid2 := r.train(gridTrial, 1e-3, 20)
	long := r.train(longTrial, 1e-3, 20)
	long2 := r.train(longTrial, 1e-3, 20)
	if grid1 != grid2 || long != long2 {
		t.Errorf("a trial repeated differs: grid %+v vs %+v, long %+v vs %+v", grid1, grid2, long, long2)
	}
	if long.Val.Loss == grid1.Val.Loss {
		t.Errorf("the long run replays the grid trial: validation loss %v in both", long.Val.Loss)
	}
}

// TestWorkersCappedAtExperimentsLeft: a sweep starts no more workers than it
// has experiments to run (a million workers for one experiment used to take
// gigabytes of goroutine stacks).
func TestWorkersCappedAtExperimentsLeft(t *testing.T) {
	p := tinyProtocol()
	p.LongSteps = 0
	sel := Selection{Tasks: []string{"dot"}, Datasets: []string{"many_hot"}, Networks: []string{"multiply_simple"}}
	var workers []int
	err := runSweep(t, context.Background(), p, sel, t.TempDir(), 1_000_000, func(pr Progress) { workers = append(workers, pr.Workers) })
	if err != nil {
		t.Fatal(err)
	}
	if len(workers) == 0 || slices.Max(workers) != 1 {
		t.Fatalf("a sweep of one experiment with -workers 1000000 reported %v workers, want 1", workers)
	}
}

// TestProgressShowsTrainingsMoving: between finished experiments a sweep
// reports its progress every refresh, with the steps the trainings in
// flight have done so far, growing; so a long training does not look frozen.
func TestProgressShowsTrainingsMoving(t *testing.T) {
	p := tinyProtocol()
	p.GridSteps, p.LongSteps, p.LRs = 5000, 0, []float64{1e-6} // one trial of 5,000 steps that cannot stop early
	plan, err := newPlan(p, Selection{Tasks: []string{"dot"}, Datasets: []string{"many_hot"}, Networks: []string{"multiply_simple"}})
	if err != nil {
		t.Fatal(err)
	}
	rf, err := openResults(filepath.Join(t.TempDir(), "results.csv"), p.String(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	var steps []int64
	err = sweepFile(context.Background(), plan, rf, 1, 10*time.Millisecond, func(pr Progress) {
		if pr.Event == progressTick && pr.InFlight == 1 {
			steps = append(steps, pr.InFlightSteps)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) < 3 || steps[0] >= steps[len(steps)-1] || slices.Max(steps) > 5000 {
		t.Fatalf("steps seen in flight: %v; want several, growing, at most 5000", steps)
	}
}

// syntheticCost is an experiment's wall time in TestETAFromFinishedExperiments:
// networks cost 1 to 27 units a step, and the last six tasks run ten times
// as long as the first six (as tasks no network learns run every trial and
// the long run in full).
func syntheticCost(e Experiment) float64 {
	c := float64(1 + networkIndex[e.Network.Name])
	if taskIndex[e.Task.Name] >= 6 {
		c *= 10
	}
	return c
}

// finishIn feeds m the first k experiments of order as finished rows with
// syntheticCost wall times times scale, and returns the true wall time of
// the rest.
func finishIn(m *etaModel, order []Experiment, k int, scale float64) (rest float64) {
	for i, e := range order {
		if i < k {
			r := newRow(paperProtocol(), e)
			r.WallSeconds = syntheticCost(e) * scale
			m.finish(r)
		} else {
			rest += syntheticCost(e)
		}
	}
	return rest
}

// TestETAFromFinishedExperiments: the ETA of a sweep estimates the
// experiments left from the finished ones. In the order a sweep starts them
// (startOrder), the truth lies within the ETA's stated spread from
// etaMinRows of 891 experiments on, and within 25% from 100 on; the
// straight line over the plan's own order, task after task (what the ETA
// used to be), is off by more than half mid-run. Before etaMinRows
// experiments have finished it is not known; rows found in the file that
// ran on a 7x slower build are scaled to this run's speed; with a seed's
// rows in the file, the next seed's ETA is close to exact.
func TestETAFromFinishedExperiments(t *testing.T) {
	plan, err := newPlan(paperProtocol(), Selection{})
	if err != nil {
		t.Fatal(err)
	}
	order := slices.Clone(plan.Experiments)
	startOrder(order)
	if slices.EqualFunc(order, plan.Experiments, func(a, b Experiment) bool { return a.Key() == b.Key() }) {
		t.Fatal("startOrder kept the plan's order")
	}
	now := time.Now()

	m := newEtaModel(nil, order)
	finishIn(m, order, etaMinRows-1, 1)
	if e := m.ETA(nil, 1, now); e.Known {
		t.Errorf("ETA known after %d experiments", etaMinRows-1)
	}
	for _, k := range []int{etaMinRows, 20, 50, 100, 300, 600, 800} {
		m := newEtaModel(nil, order)
		truth := finishIn(m, order, k, 1)
		e := m.ETA(nil, 1, now)
		r := e.Left.Seconds() / truth
		if !e.Known || math.Abs(r-1) > e.Spread || (k >= 100 && math.Abs(r-1) > 0.25) {
			t.Errorf("after %d of 891 in start order: ETA %.0f ±%.0f%%, truth %.0f (ratio %.2f, known %v)", k, e.Left.Seconds(), 100*e.Spread, truth, r, e.Known)
		}
	}
	var planTruth, planDone float64
	for i, e := range plan.Experiments {
		if i < 445 {
			planDone += syntheticCost(e)
		} else {
			planTruth += syntheticCost(e)
		}
	}
	if line := planDone / 445 * 446; line/planTruth > 0.5 {
		t.Errorf("the straight line over the plan's order is %.2f of the truth mid-run: the test no longer shows the bias", line/planTruth)
	}

	// Rows in the file made by a build 7x slower, then this run's own.
	var old []Row
	for _, e := range order[:200] {
		r := newRow(paperProtocol(), e)
		r.WallSeconds = 7 * syntheticCost(e)
		old = append(old, r)
	}
	m = newEtaModel(old, order[200:])
	truth := finishIn(m, order[200:], 20, 1)
	if e := m.ETA(nil, 2, now); e.Left.Seconds()*2/truth < 0.75 || e.Left.Seconds()*2/truth > 1.25 {
		t.Errorf("file rows of a 7x slower build: ETA %.0f on 2 workers, truth %.0f on 2", e.Left.Seconds(), truth/2)
	}

	// Seed 1 finished in the file; seed 2 to run: each cell's own time is known.
	var seed1 []Row
	for _, e := range plan.Experiments {
		r := newRow(paperProtocol(), e)
		r.WallSeconds = syntheticCost(e)
		seed1 = append(seed1, r)
	}
	next, _ := newPlan(paperProtocol(), Selection{Seed: 2, Seeds: 1})
	m = newEtaModel(seed1, next.Experiments)
	truth = finishIn(m, next.Experiments, 0, 1)
	if e := m.ETA(nil, 1, now); !e.Known || e.Left.Seconds()/truth < 0.9 || e.Left.Seconds()/truth > 1.1 || e.Spread != 0 {
		t.Errorf("seed 2 after seed 1: ETA %.0f ±%.0f%%, truth %.0f", e.Left.Seconds(), 100*e.Spread, truth)
	}

	// In flight: the one experiment left, a third done, bounds the ETA with
	// the two thirds it has left, whatever the workers; run past its
	// estimate, it is expected to take half as long again.
	m = newEtaModel(seed1, next.Experiments[:1])
	x := next.Experiments[0]
	est := shrunkMean(m.combined(x.cell()))
	for _, c := range []struct{ ran, left float64 }{{est / 3, est * 2 / 3}, {est * 3, est * 1.5}} {
		e := m.ETA([]flight{{cell: x.cell(), started: now.Add(-time.Duration(c.ran * float64(time.Second)))}}, 4, now)
		if d := e.Left.Seconds() - c.left; math.Abs(d) > 0.01 {
			t.Errorf("one experiment, %.2f s of about %.2f done: ETA %v, want %.2f s", c.ran, est, e.Left, c.left)
		}
	}
}

// TestStartOrderSeedBySeed: a study of several seeds starts every
// experiment of a seed before any of the next, and within a seed the tasks
// take turns (the first experiments are not all of one task).
func TestStartOrderSeedBySeed(t *testing.T) {
	plan, err := newPlan(paperProtocol(), Selection{Seed: 4, Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	es := slices.Clone(plan.Experiments)
	startOrder(es)
	for i := 1; i < len(es); i++ {
		if es[i].Seed < es[i-1].Seed {
			t.Fatalf("experiment %d has seed %d after seed %d", i, es[i].Seed, es[i-1].Seed)
		}
	}
	first := map[string]bool{}
	for _, e := range es[:24] {
		first[e.Task.Name] = true
	}
	if len(first) < 6 {
		t.Errorf("the first 24 experiments cover only %d tasks", len(first))
	}
}
