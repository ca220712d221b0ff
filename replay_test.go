package main

// Tests of the replay of the original 2018 code (replay.go): one or more
// per switch, following the replay note's "How to test it", then the
// protocol string, the command line, and a small real replay study.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// ---------------------------------------------------------------------------
// The protocol string and the flags.

// fixedPaperProtocol is the paper protocol's string as the running studies
// wrote it before the replay existed: it must not change.
const fixedPaperProtocol = "reasonops-2;grid=1000;long=30000;lrs=1e-06/1e-05/0.0001/0.001/0.01/0.1/1/10/100;batch=32;check=100x256;target=0.99;decrease=0.7x2;train=1000000;val=4000;test=4000"

// TestReplayProtocolString: the fixed protocol's string is byte for byte
// what it was; a replay's names its switches after the replay's version,
// reads back, and differs from the fixed one in exactly that setting.
func TestReplayProtocolString(t *testing.T) {
	if got := paperProtocol().String(); got != fixedPaperProtocol {
		t.Fatalf("the fixed protocol's string changed:\n%s\nwant\n%s", got, fixedPaperProtocol)
	}
	for _, r := range []Replay{1 << replayResidualEval, 1<<replayResidualEval | 1<<replayTrainStop, 1 << replayNaNDrop, replayAll} {
		p := paperProtocol()
		p.Replay = r
		s := p.String()
		if !strings.HasPrefix(s, fixedPaperProtocol+";replay="+replayVersion+":") {
			t.Errorf("%s: the replay setting is not last", s)
		}
		q, err := parseProtocol(s)
		if err != nil || q.Replay != r || q.String() != s {
			t.Errorf("round trip of %s: %v, %s", s, err, q)
		}
		if d := protocolDiff(fixedPaperProtocol, s); d != "(none) there, replay="+r.protocolValue()+" here" {
			t.Errorf("protocolDiff names %q", d)
		}
	}
	p := paperProtocol()
	p.Replay = 1<<replayResidualEval | 1<<replayTrainStop
	if s := p.String(); !strings.HasSuffix(s, ";replay=v2:residual-eval+train-stop") {
		t.Errorf("replay setting of %s", s)
	}
	for _, bad := range []string{
		fixedPaperProtocol + ";replay=v2:",
		fixedPaperProtocol + ";replay=v2:residual-eval+bogus",
		fixedPaperProtocol + ";replay=v0:residual-eval",
		fixedPaperProtocol + ";replay=residual-eval",
		fixedPaperProtocol + ";replay=v2:train-stop+residual-eval", // not in the usual order
	} {
		if _, err := parseProtocol(bad); err == nil {
			t.Errorf("parseProtocol accepted %q", bad)
		}
	}
}

// TestReplayFlags: -protocol and -replay give the switches asked for, 2018
// meaning all; bad input is refused with the valid choices named.
func TestReplayFlags(t *testing.T) {
	for _, c := range []struct {
		protocol string
		names    []string
		want     Replay
	}{
		{"fixed", nil, 0},
		{"2018", nil, replayAll},
		{"fixed", []string{"residual-eval", "lr-carry"}, 1<<replayResidualEval | 1<<replayLRCarry},
		{"fixed", []string{"2018"}, replayAll},
		{"2018", []string{"overlap"}, replayAll},
	} {
		got, err := replayFlags(c.protocol, c.names)
		if err != nil || got != c.want {
			t.Errorf("replayFlags(%q, %v) = %s, %v; want %s", c.protocol, c.names, got, err, c.want)
		}
	}
	if replayAll.String() != "residual-eval+random-pos+test-selection+train-stop+overlap+one-hot-sum-128+lr-carry+nan-drop" {
		t.Errorf("all switches: %s", replayAll)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-protocol", "2019"}, `-protocol "2019": unknown protocol (valid: fixed, 2018)`},
		{[]string{"-replay", "residual"}, `-replay: unknown switch "residual" (valid: residual-eval, random-pos, test-selection, train-stop, overlap, one-hot-sum-128, lr-carry, nan-drop; or 2018 for all)`},
		{[]string{"-protocol", "paper", "-replay", "overlap"}, `unknown protocol (valid: fixed, 2018)`},
		{[]string{"-replay", ""}, `-replay is empty`},
		{[]string{"-protocol="}, `-protocol "": unknown protocol (valid: fixed, 2018)`},
		{[]string{"-replay", "overlap,overlap"}, `names overlap twice`},
		{[]string{"estimate", "-protocol", "2018"}, `estimate without lr-carry`},
	} {
		expectUsageError(t, c.args, c.want)
	}
}

// ---------------------------------------------------------------------------
// residual-eval.

// TestResidualEvalDropsExactlyTheSkips: a dense_residual network is
// evaluated with its layers and no skips, trained with them. By hand: depth
// 2, linear, the first layer all zeros, so L1(x) = 0; trained, y = L2(x +
// L1(x)) = x·W2 + b2; evaluated, y = L2(L1(x)) = L2(0) = b2 for every record.
func TestResidualEvalDropsExactlyTheSkips(t *testing.T) {
	const bus, hidden = 4, 8
	spec, _ := findNetwork("dense_residual-2-linear")
	net, err := newNetwork(spec, bus, hidden, 1)
	if err != nil {
		t.Fatal(err)
	}
	net.Init(1)
	clear(net.Layers[0].W.Value.Data)
	w2, b2 := net.Layers[1].W.Value.Data, float32(0.25)
	net.Layers[1].B.Value.Data[0] = b2
	x := [][2][]float32{{{1, 0, 0, 0}, {0, 2, 0, 0}}, {{0.5, -1, 0, 3}, {1, 1, 1, 1}}}
	forward := func(n *Network) []float32 {
		tape := newEvalTape()
		a, b := tape.Input(len(x), bus), tape.Input(len(x), bus)
		for i, r := range x {
			copy(a.Value.Row(i), r[0])
			copy(b.Value.Row(i), r[1])
		}
		out := n.Record(tape, a, b)
		tape.Forward()
		return out.Value.Data
	}
	trained, evaluated := forward(net), forward(evaluatedNetwork(net, 1<<replayResidualEval))
	for i, r := range x {
		var want float32 // x·W2 + b2, x = concat(a, b)
		for j, v := range append(slices.Clone(r[0]), r[1]...) {
			want += v * w2[j]
		}
		want += b2
		if math.Abs(float64(trained[i]-want)) > 1e-6 || evaluated[i] != b2 {
			t.Errorf("record %d: trained %v (want x·W2 + b2 = %v), evaluated %v (want b2 = %v)", i, trained[i], want, evaluated[i], b2)
		}
	}
	if evaluatedNetwork(net, 0) != net || evaluatedNetwork(net, replayAll^1<<replayResidualEval) != net {
		t.Error("without residual-eval the evaluated network is not the trained one")
	}

	// The skip patterns: trained as the residual rule says, evaluated with none.
	for _, c := range []struct {
		name string
		out  int
		want string
	}{
		{"dense_residual-2-relu", 1, "[true false]"}, {"dense_residual-2-relu", bus, "[true false]"}, {"dense_residual-2-relu", 2 * bus, "[true true]"},
		{"dense_residual-3-relu", 1, "[true true false]"}, {"dense_residual-3-relu", 2 * bus, "[true true true]"},
	} {
		spec, _ := findNetwork(c.name)
		n, _ := newNetwork(spec, bus, 2*bus, c.out)
		trainedSkips, evalSkips := n.residualSkips(), evaluatedNetwork(n, replayAll).residualSkips()
		if fmt.Sprint(trainedSkips) != c.want || slices.Contains(evalSkips, true) {
			t.Errorf("%s out %d: trained skips %v (want %s), evaluated %v (want none)", c.name, c.out, trainedSkips, c.want, evalSkips)
		}
		if n.Spec.Type != "dense_residual" {
			t.Error("evaluatedNetwork changed the trained network's type")
		}
	}
	other, _ := findNetwork("multiply")
	m, _ := newNetwork(other, bus, hidden, 1)
	if evaluatedNetwork(m, replayAll) != m {
		t.Error("residual-eval changed a multiply network")
	}
}

// TestResidualEvalModel: at the study's widths, with random weights, the
// model's evaluation output under residual-eval is the plain dense stack's
// over the same layers and differs from the trained network's, which the
// evaluation without the switch gives.
func TestResidualEvalModel(t *testing.T) {
	spec, _ := findNetwork("dense_residual-3-tanh")
	for _, r := range []Replay{0, 1 << replayResidualEval} {
		m, err := newModel(spec, busWidth, 32, false, r)
		if err != nil {
			t.Fatal(err)
		}
		m.net.Init(5)
		rg := newRNG(9)
		for i := 0; i < evalBatch; i++ {
			drawRecord(random, &rg, m.evalA.Value.Row(i), m.evalB.Value.Row(i))
		}
		m.eval.Forward()
		plain := *m.net.(*Network)
		plain.Spec.Type = "dense"
		ref := newEvalTape()
		a, b := ref.Input(evalBatch, busWidth), ref.Input(evalBatch, busWidth)
		copy(a.Value.Data, m.evalA.Value.Data)
		copy(b.Value.Data, m.evalB.Value.Data)
		plainOut, trainedOut := plain.Record(ref, a, b), m.net.Record(ref, a, b)
		ref.Forward()
		want := trainedOut.Value.Data
		if r != 0 {
			want = plainOut.Value.Data
		}
		if !slices.Equal(m.evalOut.Value.Data, want) {
			t.Errorf("replay %q: the evaluation is not the network it should be", r)
		}
		if slices.Equal(plainOut.Value.Data, trainedOut.Value.Data) {
			t.Error("the network with and without its skips computes the same")
		}
	}
}

// ---------------------------------------------------------------------------
// random-pos.

// TestRandomPosDrawnAsRandom: under random-pos, random_pos records are
// uniform in [-1, 1), half negative, and never random's record of the same
// index; without it they lie in [0, 1). The labels are those of the vectors.
func TestRandomPosDrawnAsRandom(t *testing.T) {
	const n = 10000
	replayed, err := newDataDrawnAs(randomPos, replayGenerator(randomPos, 1<<replayRandomPos), 4, n, 10, 10)
	if err != nil {
		t.Fatal(err)
	}
	fixed, _ := newDataDrawnAs(randomPos, replayGenerator(randomPos, replayAll^1<<replayRandomPos), 4, n, 10, 10)
	rnd, _ := newData(random, 4, n, 10, 10)
	a, b, ra, rb := make([]float32, busWidth), make([]float32, busWidth), make([]float32, busWidth), make([]float32, busWidth)
	negative, total := 0, 0
	for i := 0; i < n; i++ {
		replayed.trainRecord(i, a, b)
		rnd.trainRecord(i, ra, rb)
		if slices.Equal(a, ra) && slices.Equal(b, rb) {
			t.Fatalf("record %d of random_pos is random's record %d", i, i)
		}
		for _, v := range append(a, b...) {
			if v < -1 || v >= 1 {
				t.Fatalf("record %d: %v outside [-1, 1)", i, v)
			}
			if v < 0 {
				negative++
			}
			total++
		}
		fixed.trainRecord(i, a, b)
		if slices.ContainsFunc(append(a, b...), func(v float32) bool { return v < 0 || v >= 1 }) {
			t.Fatalf("without random-pos, record %d lies outside [0, 1)", i)
		}
	}
	if f := float64(negative) / float64(total); f < 0.48 || f > 0.52 {
		t.Errorf("%.3f of the elements are negative, want 0.5 ± 0.02", f)
	}
	// Through an experiment: its test records are random ones, labelled as
	// random's labels would be.
	task, _ := lookupTask("reduce_max")
	spec, _ := findNetwork("dense-1-linear")
	p := tinyProtocol()
	p.Replay = 1 << replayRandomPos
	tr, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: randomPos, Network: spec, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tr.data.Test.A.Data, func(v float32) bool { return v < 0 }) {
		t.Error("the experiment's random_pos test set has no negative element")
	}
	want := newTensor(p.TestSize, 1)
	task.labelBatch(want, tr.data.Test.A, tr.data.Test.B)
	if !slices.Equal(want.Data, tr.testLabels.Data) {
		t.Error("random_pos labels differ from the labels of the same vectors")
	}
}

// ---------------------------------------------------------------------------
// test-selection.

// TestTestSelectionChoosesOnTheTestSet makes validation and test disagree
// by spoiling the labels of one of them (every label plus 10: nothing is
// then correct on that set). Without test-selection the search follows the
// validation labels and ignores the test labels; with it, the reverse, and
// the measure reported is the measure the choices were made on.
func TestTestSelectionChoosesOnTheTestSet(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	task, _ := lookupTask("elementwise_add")
	spec, _ := findNetwork("dense-1-linear")
	e := Experiment{Task: task, Dataset: random, Network: spec, Seed: 3}
	search := func(r Replay, spoil string) outcome {
		p := tinyProtocol()
		p.LongSteps, p.Replay = 0, r
		tr, err := newExperimentTrainer(context.Background(), p, e)
		if err != nil {
			t.Fatal(err)
		}
		labels := map[string]*Tensor{"val": tr.valLabels, "test": tr.testLabels}[spoil]
		if labels != nil {
			for i := range labels.Data {
				labels.Data[i] += 10
			}
		}
		return gridThenLong(p, tr)
	}
	same := func(a, b outcome) bool {
		return a.Chosen.LR == b.Chosen.LR && a.Chosen.Val == b.Chosen.Val && a.Trials == b.Trials && a.FromLong == b.FromLong
	}
	const ts = 1 << replayTestSelection
	fixed, fixedSpoiltTest, fixedSpoiltVal := search(0, ""), search(0, "test"), search(0, "val")
	if !same(fixed, fixedSpoiltTest) || fixedSpoiltTest.Chosen.Test.Accuracy != 0 {
		t.Errorf("fixed protocol: spoilt test labels changed the choice (%+v vs %+v) or were not measured", fixed, fixedSpoiltTest)
	}
	if fixedSpoiltVal.Chosen.Val.Accuracy != 0 || same(fixed, fixedSpoiltVal) {
		t.Errorf("fixed protocol: spoilt validation labels did not change the choice: %+v", fixedSpoiltVal)
	}
	sel, selSpoiltVal, selSpoiltTest := search(ts, ""), search(ts, "val"), search(ts, "test")
	if !same(sel, selSpoiltVal) {
		t.Errorf("test-selection: spoilt validation labels changed the choice (%+v vs %+v)", sel, selSpoiltVal)
	}
	if selSpoiltTest.Chosen.Val.Accuracy != 0 || same(sel, selSpoiltTest) {
		t.Errorf("test-selection: spoilt test labels did not change the choice: %+v", selSpoiltTest)
	}
	for _, o := range []outcome{sel, selSpoiltVal, selSpoiltTest} {
		if o.Chosen.Val != o.Chosen.Test.evalResult {
			t.Errorf("test-selection: the choice was made on %+v, the row reports %+v", o.Chosen.Val, o.Chosen.Test)
		}
	}
	if fixed.Chosen.Val == fixed.Chosen.Test.evalResult {
		t.Error("fixed protocol: validation and test measures are equal")
	}
}

// ---------------------------------------------------------------------------
// train-stop.

// scriptedBatches is a batchStepper whose checks see scripted counts of
// correct elements: the i-th check the i-th entry (the last one repeated).
type scriptedBatches struct {
	correct  []int
	elements int // per batch
	steps    int
	checks   []int // the steps at which batchCorrect was called
}

func (s *scriptedBatches) step() (float32, bool) { s.steps++; return 1, false }
func (s *scriptedBatches) checkSubset() float64 {
	panic("train-stop must not check the validation subset")
}
func (s *scriptedBatches) validate() evalResult { return evalResult{Accuracy: 0.5, Loss: 0.25} }
func (s *scriptedBatches) batchCorrect() (int, int) {
	s.checks = append(s.checks, s.steps)
	return s.correct[min(len(s.checks), len(s.correct))-1], s.elements
}

// TestTrainStopRunningMean: the original's stop rule on scripted checks.
func TestTrainStopRunningMean(t *testing.T) {
	p := paperProtocol() // checks every 100 steps, target 0.99
	for _, c := range []struct {
		name     string
		correct  []int
		elements int
		steps    int
		want     int
	}{
		// (k-1)/k is 0.99 at k = 100, but in float32 that is 0.99000001,
		// above the double 0.99: the stop comes at step 10,000, not 10,100.
		{"first check wrong, then every one right", []int{0, 32}, 32, 30000, 10000},
		{"first check wrong, then 31 of 32 right: never", []int{0, 31}, 32, 30000, 30000},
		{"first check right", []int{32}, 32, 1000, 100},
		{"4,056 of 4,096 (0.990234) stops", []int{4056}, 4096, 1000, 100},
		{"4,055 of 4,096 (0.989990) does not", []int{4055}, 4096, 1000, 1000},
		{"99 of 100, float32 0.99000001, is above 0.99", []int{99}, 100, 300, 100},
		{"98 of 100 twice, then 100: 296/300 = 0.98667 is not", []int{98, 98, 100}, 100, 300, 300},
		{"never above", []int{31}, 32, 30000, 30000},
	} {
		s := &scriptedBatches{correct: c.correct, elements: c.elements}
		res := trainStepsOnTrainingBatches(p, c.steps, s)
		if res.Steps != c.want || s.steps != c.want {
			t.Errorf("%s: stopped at step %d (%d steps run), want %d", c.name, res.Steps, s.steps, c.want)
		}
		if stopped := c.want < c.steps || c.want == 100; (res.ChecksConfirmed == 1) != stopped {
			t.Errorf("%s: %d confirmed checks", c.name, res.ChecksConfirmed)
		}
		for i, at := range s.checks {
			if at != 100*(i+1) {
				t.Fatalf("%s: check %d at step %d; checks are at every 100th step only", c.name, i, at)
			}
		}
		if res.Val.Accuracy != 0.5 {
			t.Errorf("%s: the trial is not measured after its steps", c.name)
		}
	}
	// The totals start afresh with every training: a second training on the
	// same stepper, whose first check passes, stops at its step 100.
	s := &scriptedBatches{correct: []int{0, 32, 32}, elements: 32}
	trainStepsOnTrainingBatches(p, 200, s)
	s.correct, s.checks = []int{32}, nil
	if res := trainStepsOnTrainingBatches(p, 1000, s); res.Steps != 100 {
		t.Errorf("a second training stopped at %d, want 100: the totals were carried over", res.Steps)
	}
}

// TestBatchCorrectIsBeforeTheUpdate: the training batch's correct elements
// are counted on the predictions of the step's own forward pass, made
// before its update, with the residual skips (not the evaluation network).
func TestBatchCorrectIsBeforeTheUpdate(t *testing.T) {
	task, _ := lookupTask("elementwise_add")
	spec, _ := findNetwork("dense_residual-2-linear")
	p := tinyProtocol()
	p.Replay = 1<<replayTrainStop | 1<<replayResidualEval
	tr, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: manyHot, Network: spec, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr.train(gridTrial, 1e-2, 5)
	before := make([][]float32, 0)
	for _, q := range tr.m.net.Params() {
		before = append(before, slices.Clone(q.Value.Data))
	}
	tr.step()
	correct, elements := tr.batchCorrect()
	pred := slices.Clone(tr.m.out.Value.Data)
	for i, q := range tr.m.net.Params() { // back to the weights before the update: the same predictions
		copy(q.Value.Data, before[i])
	}
	tr.m.tape.Forward()
	if !slices.Equal(pred, tr.m.out.Value.Data) {
		t.Fatal("the predictions counted are not those of the weights before the update")
	}
	want := 0
	for i, v := range pred {
		if elementCorrect(v, tr.m.label.Value.Data[i]) {
			want++
		}
	}
	if correct != want || elements != 32*busWidth {
		t.Errorf("batchCorrect %d of %d, want %d of %d", correct, elements, want, 32*busWidth)
	}
	// The evaluated network, without its skips, predicts otherwise on the
	// same batch: the predictions counted are the training pass's.
	for i := 0; i < 32; i++ {
		copy(tr.m.evalA.Value.Row(i), tr.m.a.Value.Row(i))
		copy(tr.m.evalB.Value.Row(i), tr.m.b.Value.Row(i))
	}
	tr.m.eval.Forward()
	if slices.Equal(pred, tr.m.evalOut.Value.Data[:len(pred)]) {
		t.Error("the evaluated network predicts as the trained one: the skips were not dropped, or the count is not the training pass's")
	}
}

// TestEarlyStopReadsTheRightSet trains a solvable experiment for real
// (dense-1-linear on elementwise_add, random, lr 1e-2) with one set's labels
// spoilt (every label plus 10), and checks which set each protocol's early
// stopping reads: the fixed protocol's reads validation, so spoilt
// validation labels keep it training to the limit; train-stop reads the
// training batches and test-selection the test set, so each still stops
// early, at a check; test-selection with spoilt test labels trains to the
// limit. Checks come every 1,000 steps, so that train-stop's running mean
// starts once the network has learnt.
func TestEarlyStopReadsTheRightSet(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	task, _ := lookupTask("elementwise_add")
	spec, _ := findNetwork("dense-1-linear")
	const limit = 2000
	for _, c := range []struct {
		replay    Replay
		spoil     string
		stopEarly bool
	}{
		{0, "", true},
		{0, "val", false},
		{1 << replayTrainStop, "val", true},
		{1 << replayTestSelection, "val", true},
		{1 << replayTestSelection, "test", false},
	} {
		p := paperProtocol()
		p.ValSize, p.TestSize, p.CheckEvery, p.Replay = 1000, 1000, 1000, c.replay
		tr, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: random, Network: spec, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if labels := map[string]*Tensor{"val": tr.valLabels, "test": tr.testLabels}[c.spoil]; labels != nil {
			for i := range labels.Data {
				labels.Data[i] += 10
			}
		}
		res := tr.train(gridTrial, 1e-2, limit)
		stopped := res.Steps < limit && res.Steps%p.CheckEvery == 0
		if stopped != c.stopEarly || res.Diverged {
			t.Errorf("replay %v, %q labels spoilt: trained %d of %d steps (diverged %v), want an early stop %v",
				c.replay, c.spoil, res.Steps, limit, res.Diverged, c.stopEarly)
		}
	}
}

// ---------------------------------------------------------------------------
// overlap.

// TestPythonSetEmulation inserts keys with hand-chosen hashes and checks
// the slots against a table worked out by hand from CPython 3.6's rules.
//
// 8 slots (mask 7; i+9 > 7, so no linear probes): k0 (hash 3) -> 3; k1 (3)
// -> 3 taken, perturb 0, i = 16&7 = 0; k2 (11) -> 3, 0 taken, i = 1; k3
// (100) -> 4; k4 (35) -> 3 taken, perturb 35>>5 = 1, i = 17&7 = 1 taken,
// perturb 0, i = 6. Now 5·3 >= 7·2: resize to the smallest power of two
// above 5·4 = 20, 32, reinserting in slot order 0 k1, 1 k2, 3 k0, 4 k3,
// 6 k4: k1 -> 3; k2 -> 11; k0 -> 3 taken, linear probe 4; k3 (100&31 = 4)
// -> 4 taken, 5; k4 (35&31 = 3) -> 3, 4, 5 taken, 6. Then, in 32 slots:
// k5 (30) -> 30; k6 (30) -> 30 taken, 30+9 > 31 so no linear probes,
// perturb 0, i = 151&31 = 23; k7..k11 (7, 8, 9, 10, 12) -> 7..10, 12;
// k12 (163 = 3 + 5·32) -> 3 taken, 4..12 all taken, perturb 163>>5 = 5,
// i = (15+1+5)&31 = 21.
func TestPythonSetEmulation(t *testing.T) {
	hashes := []uint64{3, 3, 11, 100, 35, 30, 30, 7, 8, 9, 10, 12, 163}
	s := newPythonSet(hashes)
	for k := 0; k < 5; k++ {
		s.add(uint16(k))
	}
	want := make([]int, 32)
	for slot, k := range map[int]int{3: 1, 4: 0, 5: 3, 6: 4, 11: 2} {
		want[slot] = k + 1
	}
	check := func(when string) {
		t.Helper()
		got := make([]int, len(s.slots))
		for i, k := range s.slots {
			got[i] = int(k)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: slots (key+1)\n%v\nwant\n%v", when, got, want)
		}
	}
	check("after the resize")
	for k := 5; k < len(hashes); k++ {
		s.add(uint16(k))
	}
	for slot, k := range map[int]int{30: 5, 23: 6, 7: 7, 8: 8, 9: 9, 10: 10, 12: 11, 21: 12} {
		want[slot] = k + 1
	}
	check("after the probes")
	if got := fmt.Sprint(s.keys()); got != "[1 0 3 4 7 8 9 10 2 11 12 6 5]" {
		t.Errorf("keys in slot order %s", got)
	}
	// Eight slots: a set's fifth member makes it resize, its fourth not.
	small := newPythonSet([]uint64{0, 1, 2, 3, 4})
	for k := 0; k < 4; k++ {
		small.add(uint16(k))
	}
	if len(small.slots) != 8 {
		t.Errorf("4 members: %d slots, want 8", len(small.slots))
	}
}

// TestOverlapOneHot checks the original's one_hot data as the emulation
// makes them for one seed: the test pairs all in the training array, few
// distinct ones, copies of a pair clustered, and a 1,000-step trial seeing
// only a part of the test pairs.
func TestOverlapOneHot(t *testing.T) {
	if testing.Short() {
		t.Skip("draws a million pairs")
	}
	p := paperProtocol()
	p.Replay = 1 << replayOverlap
	task, _ := lookupTask("logical_and")
	spec, _ := findNetwork("dense-1-linear")
	d, err := newOverlapData(p, Experiment{Task: task, Dataset: oneHot, Network: spec, Seed: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	train := d.overlap.train
	inTrain := map[uint16]bool{}
	repeats := 0
	for i, pair := range train {
		inTrain[pair] = true
		if i > 0 && pair == train[i-1] {
			repeats++
		}
	}
	testPairs := map[uint16]bool{}
	for i := 0; i < d.Test.A.Rows; i++ {
		pair := uint16(argmax(d.Test.A.Row(i))*busWidth + argmax(d.Test.B.Row(i)))
		testPairs[pair] = true
		if !inTrain[pair] {
			t.Fatalf("test pair %d is not in the training array", pair)
		}
	}
	if len(train) != p.TrainSize || d.Test.A.Rows != p.TestSize {
		t.Fatalf("%d training and %d test records", len(train), d.Test.A.Rows)
	}
	if n := len(testPairs); n < 400 || n > 700 {
		t.Errorf("%d distinct test pairs, want 400 to 700", n)
	}
	if f := float64(repeats) / float64(len(train)-1); f < 0.8 {
		t.Errorf("%.2f of consecutive training records repeat the pair before, want more than 0.8", f)
	}
	// A 1,000-step trial's batches.
	seen := map[uint16]bool{}
	a, b := newTensor(32, busWidth), newTensor(32, busWidth)
	r := newRNG(5)
	for step := 0; step < 1000; step++ {
		d.fillTrainBatch(&r, a, b)
		for i := 0; i < 32; i++ {
			seen[uint16(argmax(a.Row(i))*busWidth+argmax(b.Row(i)))] = true
		}
	}
	covered := 0
	for pair := range testPairs {
		if seen[pair] {
			covered++
		}
	}
	if f := float64(covered) / float64(len(testPairs)); f < 0.1 || f > 0.4 {
		t.Errorf("a 1,000-step trial sees %.2f of the test pairs, want 0.1 to 0.4", f)
	}
	t.Logf("%d distinct test pairs, %.3f of consecutive training records repeated, a 1,000-step trial sees %d of the test pairs",
		len(testPairs), float64(repeats)/float64(len(train)-1), covered)
}

// TestOverlapTrialsDrawAfresh: under overlap every trial has its own test
// set, batches and initial weights; the same trial of the same experiment
// is the same. The generated datasets consult no held-out record.
func TestOverlapTrialsDrawAfresh(t *testing.T) {
	task, _ := lookupTask("logical_or")
	spec, _ := findNetwork("dense-1-relu")
	p := tinyProtocol()
	p.TrainSize = 5000 // a small one_hot training array, to keep the test short
	p.Replay = 1 << replayOverlap
	for _, kind := range []datasetKind{oneHot, manyHot, random} {
		e := Experiment{Task: task, Dataset: kind, Network: spec, Seed: 8}
		trial := func(k int) (*Data, []float32, []float32) {
			d, err := newOverlapData(p, e, k)
			if err != nil {
				t.Fatal(err)
			}
			a, b := newTensor(32, busWidth), newTensor(32, busWidth)
			r := newRNG(3)
			d.fillTrainBatch(&r, a, b)
			return d, a.Data, b.Data
		}
		d0, a0, _ := trial(0)
		d0again, a0again, _ := trial(0)
		d1, a1, _ := trial(1)
		if !slices.Equal(d0.Test.A.Data, d0again.Test.A.Data) || !slices.Equal(a0, a0again) {
			t.Errorf("%s: the same trial drew different data", datasetNames[kind])
		}
		// one_hot's batches come from the trial's own training array; the
		// others' are drawn from the batch stream alone (see below).
		if slices.Equal(d0.Test.A.Data, d1.Test.A.Data) || (kind == oneHot && slices.Equal(a0, a1)) {
			t.Errorf("%s: two trials share their test set or first batch", datasetNames[kind])
		}
		if kind != oneHot {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: the held-out lookup answered under overlap", datasetNames[kind])
					}
				}()
				d0.findHeldOut(0, a0[:busWidth], a0[:busWidth])
			}()
		}
	}
	// Through the trainer: each trial, grid or long, its own data, initial
	// weights and batches.
	tr, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: manyHot, Network: spec, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	var tests, weights, batches [][]float32
	for k := 0; k < 3; k++ {
		kind := gridTrial
		if k == 2 {
			kind = longTrial
		}
		tr.train(kind, 1e-3, 0) // no steps: the weights as drawn
		tests = append(tests, slices.Clone(tr.data.Test.A.Data))
		weights = append(weights, slices.Clone(tr.m.net.(*Network).Layers[0].W.Value.Data))
		tr.step()
		batches = append(batches, slices.Clone(tr.m.a.Value.Data))
	}
	for k := 1; k < 3; k++ {
		if slices.Equal(tests[k], tests[k-1]) || slices.Equal(weights[k], weights[k-1]) || slices.Equal(batches[k], batches[k-1]) {
			t.Errorf("trials %d and %d share their test set, initial weights or first batch", k-1, k)
		}
	}
}

// ---------------------------------------------------------------------------
// one-hot-sum-128.

// TestOneHotSum128: 128 wide, sums of 128 or more labelled all zeros.
func TestOneHotSum128(t *testing.T) {
	task, _ := lookupTask("one_hot_sum")
	replayed := replayTask(task, 1<<replayOneHotSum128)
	if replayed.Width != 128 || replayTask(task, replayAll^1<<replayOneHotSum128).Width != 255 {
		t.Fatalf("widths %d and %d", replayed.Width, replayTask(task, 0).Width)
	}
	label := func(tk Task, ia, ib int) []float32 {
		a, b, out := make([]float32, busWidth), make([]float32, busWidth), make([]float32, tk.Width)
		a[ia], b[ib] = 1, 1
		tk.label(a, b, out)
		return out
	}
	if l := label(replayed, 100, 27); l[127] != 1 || slices.Index(l, 1) != 127 || slices.Max(l[:127]) != 0 {
		t.Errorf("(100, 27): %v", l)
	}
	for _, pair := range [][2]int{{100, 28}, {127, 127}} {
		if l := label(replayed, pair[0], pair[1]); slices.Max(l) != 0 {
			t.Errorf("%v: not all zeros", pair)
		}
	}
	zeros, perSum := 0, make([]int, 128)
	for ia := 0; ia < busWidth; ia++ {
		for ib := 0; ib < busWidth; ib++ {
			l := label(replayed, ia, ib)
			if s := slices.Index(l, 1); s < 0 {
				zeros++
			} else {
				perSum[s]++
			}
			if slices.Max(label(task, ia, ib)) != 1 {
				t.Fatalf("the fixed label of (%d, %d) is all zeros", ia, ib)
			}
		}
	}
	if zeros != 8128 {
		t.Errorf("%d all-zero labels, want 8,128", zeros)
	}
	for s, n := range perSum {
		if n != s+1 {
			t.Errorf("sum %d labelled %d times, want %d", s, n, s+1)
		}
	}
}

// ---------------------------------------------------------------------------
// lr-carry.

// sequenceTrainer is a trainer whose i-th training gives the i-th scripted
// measure, whatever its rate: it records the rates it was asked for.
type sequenceTrainer struct {
	acc, loss []float64
	long      evalResult
	lrs       []float64
	last      evalResult
}

func (s *sequenceTrainer) train(kind trialKind, lr float64, steps int) trialResult {
	s.lrs = append(s.lrs, lr)
	r := trialResult{LR: lr, Steps: steps, Val: s.long}
	if kind == gridTrial {
		i := len(s.lrs) - 1
		r.Val = evalResult{Accuracy: s.acc[i], Loss: s.loss[i]}
	}
	s.last = r.Val
	return r
}

func (s *sequenceTrainer) test() testResult { return testResult{evalResult: s.last} }

// TestLRCarryCarriedRateFirst: the first experiment of a chain tries the
// nine rates; a later one tries the carried rate first, as a trial whose
// accuracy the next one's decrease is judged against; a kept long run
// reports its rate as the original's float32 evaluation mean.
func TestLRCarryCarriedRateFirst(t *testing.T) {
	p := paperProtocol()
	p.Replay = 1 << replayLRCarry
	flat := func(n int, v float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	first := &sequenceTrainer{acc: flat(9, 0.5), loss: []float64{0.5, 0.4, 0.3, 0.2, 0.1, 0.2, 0.3, 0.4, 0.5}, long: evalResult{Accuracy: 0.6, Loss: 0.05}}
	o := gridThenLongCarried(p, first, carriedLR{})
	if want := append(slices.Clone(p.LRs), 0.01); !slices.Equal(first.lrs, want) {
		t.Errorf("the first of a chain tried %v, want the nine rates and the long run at 0.01 (lowest loss)", first.lrs)
	}
	if !o.FromLong || o.Chosen.LR != 0.00999999325722456 || float32(o.Chosen.LR) != 0.009999993 {
		t.Fatalf("a long run kept at 0.01 reports lr %v, want 0.0099999933 (the float32 mean of 125 batches)", o.Chosen.LR)
	}
	row := Row{LR: o.Chosen.LR}
	carry := carriedLR{}.after(row)
	second := &sequenceTrainer{acc: []float64{0.6, 0.1, 0.12, 0.3, 0.5, 0.55, 0.3, 0.9, 0.9, 0.9}, loss: flat(10, 0.5), long: evalResult{Accuracy: 0.1, Loss: 1}}
	o = gridThenLongCarried(p, second, carry)
	// 0.6 (carried) -> 0.1 is the first decrease; 0.55 -> 0.3 at 0.1 the second.
	want := []float64{0.00999999325722456, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 0.00999999325722456}
	if !slices.Equal(second.lrs, want) {
		t.Errorf("the second experiment tried %v, want %v (carried, six grid rates to the second decrease, the long run at the lowest loss: the first, the carried)", second.lrs, want)
	}
	if o.FromLong || o.Chosen.LR != 0.00999999325722456 {
		t.Errorf("outcome %+v: the carried trial, kept, reports its own rate", o)
	}
	if len(p.LRs) != 9 {
		t.Error("gridThenLongCarried changed the protocol's rates")
	}
}

// TestLRCarryChains: the chains hold every network once, in the original's
// loop order (network, then dataset, then task), and a plan under lr-carry
// holds each chain from its start up to its last selected experiment.
func TestLRCarryChains(t *testing.T) {
	var all []string
	for _, c := range carryChains {
		all = append(all, c...)
	}
	slices.Sort(all)
	if want := paperNetworkNames(); len(all) != len(want) || !slices.Equal(all, slices.Sorted(slices.Values(want))) {
		t.Fatalf("the chains hold %v", all)
	}
	if got := strings.Join(taskNames(), ","); got != "reduce_sum,reduce_max,concat,dot,elementwise_mul,one_hot_sum,elementwise_add,equality,almost_equal,logical_and,logical_or,logical_xor" {
		t.Errorf("tasks are not in src/tasks.py's order: %s", got)
	}
	p := paperProtocol()
	p.Replay = 1 << replayLRCarry
	plan, err := newPlan(p, Selection{Tasks: []string{"reduce_max"}, Datasets: []string{"random"}, Networks: []string{"dense-1-tanh", "multiply_simple"}, Seeds: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range plan.Experiments {
		keys = append(keys, e.Key())
	}
	// Per seed: chain 1 (dense-1-linear's 48, then dense-1-tanh's first two),
	// then chain 4 (multiply_simple's first two).
	if len(keys) != 2*(48+2+2) {
		t.Fatalf("%d experiments: %v", len(keys), keys)
	}
	for i, want := range map[int]string{
		0: "reduce_sum/random/dense-1-linear/1", 1: "reduce_max/random/dense-1-linear/1", 11: "logical_xor/random/dense-1-linear/1",
		12: "reduce_sum/random_pos/dense-1-linear/1", 24: "reduce_sum/one_hot/dense-1-linear/1", 47: "logical_xor/many_hot/dense-1-linear/1",
		48: "reduce_sum/random/dense-1-tanh/1", 49: "reduce_max/random/dense-1-tanh/1",
		50: "reduce_sum/random/multiply_simple/1", 51: "reduce_max/random/multiply_simple/1", 52: "reduce_sum/random/dense-1-linear/2",
	} {
		if keys[i] != want {
			t.Errorf("experiment %d is %s, want %s", i, keys[i], want)
		}
	}
	// Shards hold whole chains, and together the whole plan.
	var sharded []Experiment
	for i := 0; i < 3; i++ {
		s, _ := newPlan(p, Selection{Tasks: []string{"reduce_max"}, Datasets: []string{"random"}, Networks: []string{"dense-1-tanh", "multiply_simple"}, Seeds: 2, Seed: 1, Shard: Shard{I: i, N: 3}})
		sharded = append(sharded, s.Experiments...)
	}
	if len(sharded) != len(plan.Experiments) {
		t.Errorf("three shards hold %d experiments, the whole plan %d", len(sharded), len(plan.Experiments))
	}
}

// TestRunJobCarries: a chain passes each experiment the rate of the last
// row written without an error before it, rows found in the file
// included; an experiment dropped by nan-drop passes nothing on.
func TestRunJobCarries(t *testing.T) {
	task, _ := lookupTask("dot")
	spec, _ := findNetwork("multiply_simple")
	var es []Experiment
	for s := uint64(1); s <= 5; s++ {
		es = append(es, Experiment{Task: task, Dataset: random, Network: spec, Seed: s})
	}
	done := map[string]Row{es[3].Key(): {LR: 0.5}}
	lrs := map[uint64]float64{1: 0.1, 2: 0.01, 3: -1, 5: 1} // 3 is dropped
	var got []string
	var emitted int
	runJob(job{experiments: es, done: done}, func(e Experiment, carry carriedLR) (Row, bool) {
		got = append(got, fmt.Sprintf("%d:%v/%v", e.Seed, carry.LR, carry.OK))
		r := Row{LR: lrs[e.Seed]}
		if r.LR < 0 {
			r.Error = nanDropError
		}
		return r, true
	}, func(Row) { emitted++ })
	if want := "[1:0/false 2:0.1/true 3:0.01/true 5:0.5/true]"; fmt.Sprint(got) != want || emitted != 4 {
		t.Errorf("runs %v (%d rows), want %s (4 rows): experiment 4 is in the file, 3 was dropped", got, emitted, want)
	}
	got = nil
	runJob(job{experiments: es}, func(e Experiment, carry carriedLR) (Row, bool) {
		got = append(got, fmt.Sprint(e.Seed))
		return Row{}, e.Seed < 2
	}, func(Row) {})
	if fmt.Sprint(got) != "[1 2]" {
		t.Errorf("a cancelled experiment did not end the chain: %v", got)
	}
}

// TestLRCarrySweepDeterminism: a small lr-carry study gives the same rows
// with 1 and 2 workers, and the rates are carried along each chain.
func TestLRCarrySweepDeterminism(t *testing.T) {
	p := tinyProtocol()
	p.Replay = 1<<replayLRCarry | 1<<replayNaNDrop
	sel := Selection{Tasks: []string{"reduce_max"}, Datasets: []string{"random"}, Networks: []string{"dense-1-linear", "multiply_simple"}, Seeds: 2, Seed: 1}
	one, two := t.TempDir(), t.TempDir()
	if err := runSweep(t, context.Background(), p, sel, one, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := runSweep(t, context.Background(), p, sel, two, 2, nil); err != nil {
		t.Fatal(err)
	}
	a, b := readRows(t, filepath.Join(one, "results.csv")), readRows(t, filepath.Join(two, "results.csv"))
	if len(a) != 8 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("rows with 1 and 2 workers (%d and %d):\n%s\n---\n%s", len(a), len(b), strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	data, _ := os.ReadFile(filepath.Join(one, "results.csv"))
	rows, _, _ := readResults(data)
	for _, r := range rows {
		if !strings.HasSuffix(r.Protocol, ";replay=v2:lr-carry+nan-drop") {
			t.Errorf("row protocol %s", r.Protocol)
		}
	}
}

// ---------------------------------------------------------------------------
// nan-drop.

// TestNaNDropEndsTheExperiment: under nan-drop the first diverged trial
// ends the search, and the experiment's row is an error the carry skips;
// without it the search goes on.
func TestNaNDropEndsTheExperiment(t *testing.T) {
	p := paperProtocol()
	acc := []float64{0.3, 0.4, 0.5, 0.55, 0.6, 0.6, 0, 0, 0}
	loss := []float64{0.5, 0.4, 0.3, 0.2, 0.15, 0.16, 0, 0, 0}
	s := &scriptedTrainer{p: p, acc: acc, loss: loss, diverged: map[int]bool{6: true, 7: true, 8: true}, long: evalResult{Accuracy: 0.2, Loss: 1}}
	if o := gridThenLong(p, s); o.Dropped || o.Trials != 10 {
		t.Fatalf("without nan-drop: %+v", o)
	}
	p.Replay = 1 << replayNaNDrop
	s = &scriptedTrainer{p: p, acc: acc, loss: loss, diverged: map[int]bool{6: true, 7: true, 8: true}, long: evalResult{Accuracy: 0.2, Loss: 1}}
	if o := gridThenLong(p, s); !o.Dropped || o.Trials != 7 || len(s.trainCalls()) != 7 {
		t.Fatalf("with nan-drop: %+v, trials %v; want dropped after the 7th", o, s.trainCalls())
	}
	// A real experiment that diverges (a rate of 1e30) gives the error row.
	task, _ := lookupTask("reduce_sum")
	spec, _ := findNetwork("dense-1-linear")
	q := tinyProtocol()
	q.LRs, q.Replay = []float64{1e30}, 1<<replayNaNDrop
	row, ok := runExperiment(context.Background(), q, Experiment{Task: task, Dataset: manyHot, Network: spec, Seed: 1}, carriedLR{})
	if !ok || row.Error != nanDropError || row.Protocol != q.String() {
		t.Fatalf("row %v", row.fields())
	}
	if c := (carriedLR{LR: 0.1, OK: true}).after(row); c.LR != 0.1 {
		t.Error("a dropped experiment passed a rate on")
	}
}

// TestNaNDropAloneChangesNoRunWithoutDivergence: nan-drop acts only at a
// diverged trial, so with it alone an experiment none of whose trials
// diverges gives the fixed protocol's row, every cell the same but the
// protocol (and the times). This is why the report needs no nan-drop
// folder for seeds whose fixed runs had no diverged trial.
func TestNaNDropAloneChangesNoRunWithoutDivergence(t *testing.T) {
	p := paperProtocol()
	acc := []float64{0.3, 0.4, 0.5, 0.55, 0.6, 0.6, 0.2, 0.1, 0.05}
	loss := []float64{0.5, 0.4, 0.3, 0.2, 0.15, 0.16, 0.6, 0.7, 0.8}
	script := func(p Protocol) *scriptedTrainer {
		return &scriptedTrainer{p: p, acc: acc, loss: loss, long: evalResult{Accuracy: 0.7, Loss: 0.1}}
	}
	fixed := gridThenLong(p, script(p))
	q := p
	q.Replay = 1 << replayNaNDrop
	if dropped := gridThenLong(q, script(q)); !reflect.DeepEqual(fixed, dropped) {
		t.Fatalf("scripted: fixed %+v, nan-drop %+v", fixed, dropped)
	}
	for _, name := range []string{"dense-1-linear", "multiply"} {
		task, _ := lookupTask("dot")
		spec, _ := findNetwork(name)
		e := Experiment{Task: task, Dataset: manyHot, Network: spec, Seed: 2}
		p := tinyProtocol()
		a, okA := runExperiment(context.Background(), p, e, carriedLR{})
		p.Replay = 1 << replayNaNDrop
		b, okB := runExperiment(context.Background(), p, e, carriedLR{})
		if !okA || !okB || a.Error != "" || a.DivergedTrials != 0 {
			t.Fatalf("%s: ok %v %v, error %q, diverged trials %d: want a run without divergence", name, okA, okB, a.Error, a.DivergedTrials)
		}
		if b.Protocol == a.Protocol {
			t.Fatalf("%s: nan-drop's protocol %q does not name it", name, b.Protocol)
		}
		b.Protocol, b.Datetime, b.WallSeconds = a.Protocol, a.Datetime, a.WallSeconds
		if fa, fb := a.fields(), b.fields(); !slices.Equal(fa, fb) {
			t.Errorf("%s: fixed %v\nnan-drop %v", name, fa, fb)
		}
	}
}

// ---------------------------------------------------------------------------
// The command line: a small replay study, and no mixing with fixed rows.

// TestReplayStudyCommandLine runs -protocol 2018 -quick on a few
// experiments, then checks that a fixed-protocol study, and a merge,
// refuse to mix with its rows, and a replay refuses a fixed folder.
func TestReplayStudyCommandLine(t *testing.T) {
	dir := t.TempDir()
	sel := []string{"-tasks", "reduce_sum,reduce_max", "-datasets", "random", "-networks", "dense-1-linear,multiply_simple"}
	runCLI(t, append([]string{"-protocol", "2018", "-quick", "-out", dir}, sel...)...)
	path := filepath.Join(dir, "results.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readResults(data)
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rows (%v), want 4: two per chain", len(rows), err)
	}
	want := quickProtocol()
	want.Replay = replayAll
	for _, r := range rows {
		if r.Protocol != want.String() {
			t.Errorf("row protocol %s, want %s", r.Protocol, want)
		}
		if r.Error == "" && r.ValAccuracy != r.Accuracy {
			t.Errorf("%s: chosen on %v, reports %v: under test-selection they are one measure", r.Key(), r.ValAccuracy, r.Accuracy)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
		t.Errorf("no report: %v", err)
	}
	// The same command again finds everything done.
	if msg := runCLI(t, append([]string{"-protocol", "2018", "-quick", "-out", dir}, sel...)...); !strings.Contains(msg, "all already in") {
		t.Errorf("a second run did not resume: %s", msg)
	}
	before, _ := os.ReadFile(path)
	expectUsageError(t, append([]string{"-quick", "-out", dir}, sel...), "(none) here")
	expectUsageError(t, append([]string{"-quick", "-replay", "residual-eval", "-out", dir}, sel...),
		"replay="+want.Replay.protocolValue()+" there, replay=v2:residual-eval here")
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused study changed the replay's results file")
	}
	fixed := t.TempDir()
	runCLI(t, "-quick", "-grid-steps", "5", "-long-steps", "0", "-tasks", "dot", "-datasets", "many_hot", "-networks", "multiply_simple", "-out", fixed)
	expectUsageError(t, []string{"-protocol", "2018", "-quick", "-grid-steps", "5", "-long-steps", "0", "-tasks", "dot", "-datasets", "many_hot", "-networks", "multiply_simple", "-out", fixed},
		"(none) there, replay=v2:")
	expectUsageError(t, []string{"merge", "-out", t.TempDir(), path, filepath.Join(fixed, "results.csv")}, "come from different protocols")
}

// TestLRCarryRefusesBeyondThePaper: the original's loop holds only the
// paper's networks and tasks, so lr-carry refuses a selection with a unit,
// naming it, and the command line exits with a usage error.
func TestLRCarryRefusesBeyondThePaper(t *testing.T) {
	p := paperProtocol()
	p.Replay = 1 << replayLRCarry
	_, err := newPlan(p, Selection{Networks: []string{"multiply", "nmu"}, Tasks: []string{"dot"}, Datasets: []string{"random"}})
	if err == nil || !strings.Contains(err.Error(), "nmu x dot") || !strings.Contains(err.Error(), "lr-carry") {
		t.Errorf("lr-carry with nmu: %v", err)
	}
	if _, err := newPlan(p, Selection{Networks: []string{"multiply"}, Tasks: []string{"dot"}, Datasets: []string{"random"}}); err != nil {
		t.Errorf("lr-carry with a paper network: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"list", "-replay", "lr-carry", "-networks", "nmu", "-out", t.TempDir()}, &stdout, &stderr); code != exitUsage {
		t.Errorf("exit %d, want %d: %s", code, exitUsage, stderr.String())
	}
}

// TestLRCarrySkipsAlmostEqualInEarlyChains: in chains 1 and 2, which the
// original ran with eleven tasks, almost_equal takes the carried rate and
// passes it on unchanged, so logical_and gets equality's; in a later
// chain almost_equal's own rate is carried.
func TestLRCarrySkipsAlmostEqualInEarlyChains(t *testing.T) {
	for _, c := range []struct {
		network string
		want    float64
	}{{"dense-1-linear", 0.1}, {"dense_residual-2-tanh", 0.1}, {"dense-1-selu", 0.01}, {"multiply_simple", 0.01}} {
		carry := carriedLR{}.after(Row{Task: "equality", Network: c.network, LR: 0.1})
		carry = carry.after(Row{Task: "almost_equal", Network: c.network, LR: 0.01})
		if !carry.OK || carry.LR != c.want {
			t.Errorf("%s: logical_and is carried %v, want %v", c.network, carry, c.want)
		}
	}
}
