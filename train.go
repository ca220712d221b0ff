// train.go: how one experiment trains. A model is a network wired for
// training and evaluation; a training is trainSteps, its steps with the
// early-stopping checks; an experiment is gridThenLong, the learning-rate
// grid then a long run (PROTOCOL.md, "Learning-rate search, then a long
// run"); trainExperiment puts them together for one experiment. Read it top
// to bottom.
//
// Choices are made on the validation set; the chosen network's accuracy and
// loss are then measured on the test set, which no choice has seen. Every
// number an experiment gives is a pure function of the experiment and its
// seed. A change here that alters any number must bump protocolVersion
// (results.go).
//
// This file knows nothing about the results file, the plan of experiments
// or the worker pool; a training runs on one goroutine and spawns none.
package main

import (
	"context"
	"math"
	"sync/atomic"
)

// Protocol holds every setting that decides an experiment's numbers, apart
// from the experiment's own seed. Its String form (results.go) is the
// results file's protocol column.
type Protocol struct {
	GridSteps    int       // steps of each grid trial (1,000)
	LongSteps    int       // steps of the long run (30,000); 0 skips it
	LRs          []float64 // the grid's learning rates, tried in this order
	BatchSize    int       // records per training step (32)
	CheckEvery   int       // steps between early-stopping checks (100)
	CheckSize    int       // validation records each check evaluates first; a pass is confirmed on all of them
	Target       float64   // success: accuracy >= Target (0.99)
	Decrease     float64   // a trial is a "decrease" when its accuracy < Decrease x the previous trial's (0.7)
	MaxDecreases int       // the grid stops at this many decreases (2)
	TrainSize    int       // distinct training records (1,000,000; one_hot has its own, smaller domain)
	ValSize      int       // validation records (4,000)
	TestSize     int       // test records (4,000)
	Replay       Replay    // the original code's behaviours replayed (replay.go); none in the fixed protocol
	// Sparsity turns on Madsen & Johansen's sparsity regulariser, with its
	// ramp (sparsityLambda, units.go), for the units that have one (nau,
	// nmu, nau-nmu); the other networks have none, so it changes nothing
	// for them. Off by default.
	Sparsity bool
}

// evalBatch is the number of records one forward pass of an evaluation
// handles. The early-stopping check evaluates the first evalBatch validation
// records, one pass, and only when they reach the target the whole
// validation set. The 100 steps between checks pass 3,200 records forward
// and backward, some 9,600 records' worth of forward work (a backward costs
// about two forwards): the whole set of 4,000 at every check would add
// about 40%, the subset of 256 under 3%. The subset decides when to look;
// only the whole set decides whether to stop.
const evalBatch = 256

// paperProtocol returns the protocol of PROTOCOL.md.
func paperProtocol() Protocol {
	return Protocol{
		GridSteps:    1000,
		LongSteps:    30000,
		LRs:          []float64{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100},
		BatchSize:    32,
		CheckEvery:   100,
		CheckSize:    evalBatch,
		Target:       0.99,
		Decrease:     0.7,
		MaxDecreases: 2,
		TrainSize:    1000000,
		ValSize:      4000,
		TestSize:     4000,
	}
}

// quickProtocol returns a short protocol over the same grid, for a first
// look in minutes: trials of 100 steps, a long run of 1,000, and held-out
// sets of 1,000 records.
func quickProtocol() Protocol {
	p := paperProtocol()
	p.GridSteps, p.LongSteps = 100, 1000
	p.ValSize, p.TestSize = 1000, 1000
	return p
}

// ---------------------------------------------------------------------------
// The model: a network wired for training and for evaluation.

// model is a network with everything one training needs, allocated once:
// a training tape at batch N with its input, label and loss nodes, Adam's
// moments, and a forward-only evaluation tape at batch evalBatch over the
// same parameters.
type model struct {
	// net is the network trained: one of the paper's (*Network, whose
	// Constrain and Regularizer do nothing) or a unit (units.go).
	net          arithmeticUnit
	tape         *Tape
	a, b         *Node // (N,W) training inputs, filled before each step
	label        *Node // (N,O) training labels
	out          *Node // (N,O) training outputs: after a step, the predictions made before its update
	loss         *Node // (1,1): the MSE, plus the unit's regulariser when it has one
	opt          *Adam
	eval         *Tape
	evalA, evalB *Node // (evalBatch,W)
	evalOut      *Node // (evalBatch,O)

	// lambda (1,1) scales the unit's regulariser (Madsen & Johansen's
	// sparsity term, units.go) in loss; nil for a network without one. It
	// stays 0, adding nothing to the loss or its gradients, unless sparsity
	// is set (the protocol's Sparsity, -sparsity): then each step sets it
	// to sparsityLambda over the trial's steps. The paper's networks have
	// no regulariser, so it never applies to them.
	lambda   *Node
	sparsity bool
	// taken and trialSteps are the steps taken in the trial in progress
	// and its length (startTrial).
	taken, trialSteps int
}

// newModel builds spec for output width out at the study's widths, for
// training batches of batch records. sparse says the inputs are mostly
// zeros, so that the layers reading them skip the zeros (see skipZeros).
// The network evaluated is the one trained, unless replay's residual-eval
// says otherwise (evaluatedNetwork, replay.go).
func newModel(spec NetworkSpec, out, batch int, sparse bool, replay Replay) (*model, error) {
	net, err := buildNetwork(spec, busWidth, hiddenWidth, out)
	if err != nil {
		return nil, err
	}
	m := &model{net: net, tape: newTape(), eval: newEvalTape()}
	m.a, m.b = m.tape.Input(batch, busWidth), m.tape.Input(batch, busWidth)
	m.label = m.tape.Input(batch, out)
	m.evalA, m.evalB = m.eval.Input(evalBatch, busWidth), m.eval.Input(evalBatch, busWidth)
	for _, in := range []*Node{m.a, m.b, m.evalA, m.evalB} {
		in.Sparse = sparse
	}
	m.out = net.Record(m.tape, m.a, m.b)
	m.loss = m.tape.MSE(m.out, m.label)
	lambda := m.tape.Input(1, 1)
	if reg := net.Regularizer(m.tape, lambda); reg != nil {
		m.lambda, m.loss = lambda, m.tape.Add(m.loss, reg)
	}
	m.opt = newAdam(net.Params(), 0)
	evaluated := net
	if n, ok := net.(*Network); ok {
		evaluated = evaluatedNetwork(n, replay)
	}
	m.evalOut = evaluated.Record(m.eval, m.evalA, m.evalB)
	return m, nil
}

// startTrial readies the model for a trial of steps steps from a fresh
// network: its parameters drawn from seed, Adam reset to learning rate lr.
func (m *model) startTrial(seed uint64, lr float64, steps int) {
	m.net.Init(seed)
	m.opt.Reset(lr)
	m.taken, m.trialSteps = 0, steps
}

// skipZeros reports whether the layers reading the dataset's records should
// skip their zeros: whether its expected fraction of zeros reaches the
// installed kernels' sparseMinZeros, from which they gain by skipping
// (tensor.go). Skipping changes the time a step takes, not its numbers.
func skipZeros(k datasetKind) bool { return k.zeroFraction() >= kernels.sparseMinZeros }

// step runs one training step on the batch in m.a, m.b and m.label: forward,
// loss, backward, Adam update, then the network's Constrain. With sparsity
// set, λ first takes its value for this step of the trial. It returns the
// batch's loss (before the update) and allocates nothing.
func (m *model) step() float32 {
	if m.sparsity && m.lambda != nil {
		m.lambda.Value.Data[0] = sparsityLambda(m.taken, m.trialSteps)
	}
	m.tape.Forward()
	m.tape.ZeroGrads()
	m.tape.Backward(m.loss)
	m.opt.Step()
	m.net.Constrain()
	m.taken++
	return m.loss.Value.Data[0]
}

// ---------------------------------------------------------------------------
// Evaluation and the metric.

// evalResult is the measure of a network on a set of records.
type evalResult struct {
	Accuracy       float64 // fraction of output elements within tolerance of the label
	Loss           float64 // mean squared error over all output elements
	RecordAccuracy float64 // fraction of records whose every element is within tolerance
}

// failedEval is the measure given to a diverged network.
var failedEval = evalResult{Accuracy: 0, Loss: math.Inf(1), RecordAccuracy: 0}

// notMeasured is the measure of a set that does not exist for the
// experiment (an extrapolation set of another dataset).
var notMeasured = evalResult{Accuracy: math.NaN(), Loss: math.NaN(), RecordAccuracy: math.NaN()}

// testResult is a network's measure on the test set (embedded, so
// r.Test.Accuracy is the test accuracy) and on each of the extrapolation
// sets (extrapolationSets, datasets.go), notMeasured where the dataset
// has no such set.
type testResult struct {
	evalResult
	Extrapolation [len(extrapolationSets)]evalResult
}

// failedTest is the test measure of a diverged network: failedEval on
// every set it has.
func failedTest(kind datasetKind) testResult {
	t := testResult{evalResult: failedEval}
	for i, set := range extrapolationSets {
		t.Extrapolation[i] = notMeasured
		if set.appliesTo(kind) {
			t.Extrapolation[i] = failedEval
		}
	}
	return t
}

// sqrt10 is the original metric's scale: it rounds (prediction - label)·√10
// to an integer and counts zeros (tf.round rounds half to even, so ±0.5
// counts as zero).
const sqrt10 = 3.1622776601683795

// elementCorrect reports whether a prediction is within the original's
// tolerance of its label: round((p - l)·√10) == 0, that is |p - l| <= 0.158.
// A NaN prediction is never correct.
func elementCorrect(p, l float32) bool {
	return math.Abs(float64(p)-float64(l))*sqrt10 <= 0.5
}

// evaluate measures the network on the first limit records of s (all of
// them if limit <= 0 or beyond its size), whose labels (records, O) are
// given, evalBatch records per forward pass.
func (m *model) evaluate(s Split, labels *Tensor, limit int) evalResult {
	n := s.A.Rows
	if limit > 0 && limit < n {
		n = limit
	}
	width := labels.Cols
	var correct, correctRecords int
	var sq float64
	for start := 0; start < n; start += evalBatch {
		rows := min(evalBatch, n-start)
		copy(m.evalA.Value.Data, s.A.Data[start*busWidth:(start+rows)*busWidth])
		copy(m.evalB.Value.Data, s.B.Data[start*busWidth:(start+rows)*busWidth])
		m.eval.Forward()
		for i := 0; i < rows; i++ {
			pred := m.evalOut.Value.Row(i)
			want := labels.Row(start + i)
			all := true
			for j, p := range pred {
				d := float64(p) - float64(want[j])
				sq += d * d
				if elementCorrect(p, want[j]) {
					correct++
				} else {
					all = false
				}
			}
			if all {
				correctRecords++
			}
		}
	}
	elements := float64(n * width)
	return evalResult{
		Accuracy:       float64(correct) / elements,
		Loss:           sq / elements,
		RecordAccuracy: float64(correctRecords) / float64(n),
	}
}

// ---------------------------------------------------------------------------
// One training: steps and early stopping.

// trialResult is what one training reports: its learning rate, the steps it
// ran, its validation measure, and (filled in by gridThenLong only for
// trials that may be chosen) its test measure.
type trialResult struct {
	LR       float64
	Steps    int
	Diverged bool // the loss became NaN or infinite; Val is failedEval
	Val      evalResult
	Test     testResult
	// Early-stopping checks whose validation subset reached the target,
	// and which the whole validation set then confirmed (the training
	// stopped) or rejected (it went on).
	ChecksConfirmed, ChecksRejected int
}

// stepper is one training in progress, as trainSteps drives it.
// experimentTrainer is the real one; sweep_test.go scripts one.
type stepper interface {
	step() (loss float32, cancelled bool) // one training step on the next batch
	checkSubset() float64                 // accuracy on the first CheckSize validation records
	validate() evalResult                 // the measure on the whole validation set
}

// trainSteps is a training's loop and its stopping rules: up to steps
// steps; every p.CheckEvery steps, if the first p.CheckSize validation
// records reach p.Target, the whole validation set is measured, and the
// training stops only if that reaches p.Target too (a confirmed check;
// else a rejected one, and training goes on). A NaN or infinite loss stops
// it as diverged, with the measure failedEval. A training ends measured on
// the whole validation set. A cancelled step ends it at once.
func trainSteps(p Protocol, steps int, t stepper) trialResult {
	var res trialResult
	for res.Steps < steps {
		loss, cancelled := t.step()
		if cancelled {
			return res
		}
		res.Steps++
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			res.Val, res.Diverged = failedEval, true
			return res
		}
		if res.Steps%p.CheckEvery != 0 || res.Steps == steps || t.checkSubset() < p.Target {
			continue
		}
		if res.Val = t.validate(); res.Val.Accuracy >= p.Target {
			res.ChecksConfirmed++
			return res
		}
		res.ChecksRejected++
	}
	res.Val = t.validate()
	if math.IsNaN(res.Val.Loss) || math.IsInf(res.Val.Loss, 0) {
		res.Val, res.Diverged = failedEval, true
	}
	return res
}

// ---------------------------------------------------------------------------
// One experiment: the learning-rate grid, then the long run.

// trialKind says which draw of initial weights and batches a training
// starts from: every grid trial starts from the same one, so that the grid
// compares learning rates and not draws; the long run, a fresh network,
// starts from its own.
type trialKind int

const (
	gridTrial trialKind = iota
	longTrial
)

// trainer runs the trials of one experiment. train trains a fresh network
// of the given kind at learning rate lr for up to steps steps and measures
// it on the validation set; test measures the network the last train call
// left on the test set. sweep_test.go scripts one to test gridThenLong's
// rules.
type trainer interface {
	train(kind trialKind, lr float64, steps int) trialResult
	test() testResult
}

// outcome is an experiment's result: the chosen trial and counts over all
// of its trials.
type outcome struct {
	Chosen          trialResult
	FromLong        bool // the chosen trial is the long run
	Dropped         bool // the replay's nan-drop: a trial diverged, and the original lost the experiment
	Trials          int  // trainings, the long run included
	DivergedTrials  int
	TotalSteps      int // steps over all trials
	ChecksConfirmed int // early-stopping checks confirmed on the whole validation set, over all trials
	ChecksRejected  int // checks whose subset passed and whole validation set did not
}

// gridThenLong runs the protocol's learning-rate search and long run on tr:
//
//  1. For each learning rate in p.LRs, in order, train a fresh network for
//     p.GridSteps steps. A trial with validation accuracy >= p.Target ends
//     the search and is the result. A trial whose accuracy is below
//     p.Decrease times the previous trial's counts as a decrease; the search
//     stops after p.MaxDecreases decreases. The best trial is the one with
//     the lowest validation loss (the first, on a tie).
//  2. Unless a trial succeeded, train a fresh network (its own initial
//     weights and batches) at the best trial's rate for p.LongSteps steps;
//     the result is the long run if its validation accuracy is higher than
//     the best trial's, else the best trial.
//
// The test set is measured only for trials that may become the result.
func gridThenLong(p Protocol, tr trainer) outcome {
	var o outcome
	trial := func(kind trialKind, lr float64, steps int) trialResult {
		r := tr.train(kind, lr, steps)
		o.Trials++
		o.TotalSteps += r.Steps
		o.ChecksConfirmed += r.ChecksConfirmed
		o.ChecksRejected += r.ChecksRejected
		if r.Diverged {
			o.DivergedTrials++
			o.Dropped = p.Replay.Has(replayNaNDrop) // the experiment ends here (replay.go)
		}
		return r
	}
	var best trialResult
	haveBest, decreases, previous := false, 0, 0.0
	for i, lr := range p.LRs {
		r := trial(gridTrial, lr, p.GridSteps)
		if o.Dropped {
			return o
		}
		if r.Val.Accuracy >= p.Target {
			r.Test = tr.test()
			o.Chosen = r
			return o
		}
		if i > 0 && r.Val.Accuracy < p.Decrease*previous {
			decreases++
		}
		previous = r.Val.Accuracy
		if !haveBest || r.Val.Loss < best.Val.Loss {
			r.Test = tr.test()
			best, haveBest = r, true
		}
		if decreases >= p.MaxDecreases {
			break
		}
	}
	o.Chosen = best
	if p.LongSteps > 0 && haveBest {
		long := trial(longTrial, best.LR, p.LongSteps)
		if o.Dropped {
			return o
		}
		if long.Val.Accuracy > best.Val.Accuracy {
			long.Test = tr.test()
			o.Chosen, o.FromLong = long, true
		}
	}
	return o
}

// ---------------------------------------------------------------------------
// The real trainer: data, labels and a model for one experiment.

// experimentTrainer trains one experiment's trials: it is the trainer that
// gridThenLong drives for real, and the stepper of each of its trainings.
type experimentTrainer struct {
	ctx        context.Context
	p          Protocol
	exp        Experiment // its task as the replay has it (replayTask)
	data       *Data
	m          *model
	valLabels  *Tensor                               // (ValSize, O)
	testLabels *Tensor                               // (TestSize, O)
	extrap     [len(extrapolationSets)]labelledSplit // the extrapolation sets; Labels nil where the dataset has none
	initSeed   uint64                                // every grid trial starts from the same initial weights
	batchSeed  uint64                                // and sees the same sequence of batches; the long run draws both afresh
	batches    rng                                   // the batch stream of the trial in progress
	diverged   bool                                  // the last trial diverged
	steps      *atomic.Int64                         // each step adds one (see withStepCounter)
	trials     int                                   // trials started (the replay's overlap draws each its own data)

	// choice is the set every choice is made on, with its labels: the
	// validation set, or the test set under the replay's test-selection.
	choice       Split
	choiceLabels *Tensor
}

// stepCounterKey is the context key of the step counter a caller may give
// trainExperiment (withStepCounter).
type stepCounterKey struct{}

// withStepCounter returns ctx carrying steps: every training step of an
// experiment trained under it adds one to steps, so that a progress display
// can show a training moving between its checks. Counting changes no
// number, allocates nothing, and costs one uncontended atomic add per step
// (a few nanoseconds; a step takes tens of microseconds or more).
func withStepCounter(ctx context.Context, steps *atomic.Int64) context.Context {
	return context.WithValue(ctx, stepCounterKey{}, steps)
}

// trainExperiment runs e's learning-rate search and long run under p;
// under the replay's lr-carry the search tries carry's rate first
// (gridThenLongCarried, replay.go). Its error says why the experiment
// could not start (its data or network could not be built). If ctx is
// cancelled the training stops early and the outcome is meaningless: the
// caller checks ctx and discards it.
func trainExperiment(ctx context.Context, p Protocol, e Experiment, carry carriedLR) (outcome, error) {
	tr, err := newExperimentTrainer(ctx, p, e)
	if err != nil {
		return outcome{}, err
	}
	if p.Replay.Has(replayLRCarry) {
		return gridThenLongCarried(p, tr, carry), nil
	}
	return gridThenLong(p, tr), nil
}

// newExperimentTrainer generates the experiment's data and labels and
// builds its model.
func newExperimentTrainer(ctx context.Context, p Protocol, e Experiment) (*experimentTrainer, error) {
	e.Task = replayTask(e.Task, p.Replay)
	data, err := newExperimentData(p, e, 0)
	if err != nil {
		return nil, err
	}
	m, err := newModel(e.Network, e.Task.Width, p.BatchSize, skipZeros(e.Dataset), p.Replay)
	if err != nil {
		return nil, err
	}
	m.sparsity = p.Sparsity
	tr := &experimentTrainer{
		ctx: ctx, p: p, exp: e, m: m,
		valLabels:  newTensor(p.ValSize, e.Task.Width),
		testLabels: newTensor(p.TestSize, e.Task.Width),
		initSeed:   hashWords(e.Seed, hashString(e.Task.Name), uint64(e.Dataset), hashString(e.Network.Name)),
		batchSeed:  hashWords(e.Seed, uint64(e.Dataset), hashString("batches")),
	}
	if tr.steps, _ = ctx.Value(stepCounterKey{}).(*atomic.Int64); tr.steps == nil {
		tr.steps = new(atomic.Int64) // nobody reads it
	}
	tr.useData(data)
	tr.extrap = newExtrapolation(p, e, data.gen)
	return tr, nil
}

// labelledSplit is a held-out set of records with its labels (records, O).
type labelledSplit struct {
	Split
	Labels *Tensor
}

// newExtrapolation draws and labels e's extrapolation sets, TestSize
// records each, for data drawn as gen: the sets that apply to gen, the
// others left empty (nil labels).
func newExtrapolation(p Protocol, e Experiment, gen datasetKind) [len(extrapolationSets)]labelledSplit {
	var sets [len(extrapolationSets)]labelledSplit
	for i, set := range extrapolationSets {
		if !set.appliesTo(gen) {
			continue
		}
		s := newExtrapolationSplit(i, e.Dataset, gen, e.Seed, p.TestSize)
		sets[i] = labelledSplit{s, newTensor(p.TestSize, e.Task.Width)}
		e.Task.labelBatch(sets[i].Labels, s.A, s.B)
	}
	return sets
}

// newExperimentData returns the data of e's trial number trial: the same
// for every trial, unless the replay's overlap draws each trial its own
// (newOverlapData, replay.go); random_pos drawn as random under the
// replay's random-pos (replayGenerator).
func newExperimentData(p Protocol, e Experiment, trial int) (*Data, error) {
	if p.Replay.Has(replayOverlap) {
		return newOverlapData(p, e, trial)
	}
	return newDataDrawnAs(e.Dataset, replayGenerator(e.Dataset, p.Replay), e.Seed, p.TrainSize, p.ValSize, p.TestSize)
}

// useData makes d the trainer's data: it labels the held-out sets and
// picks the set choices are made on.
func (tr *experimentTrainer) useData(d *Data) {
	tr.data = d
	tr.exp.Task.labelBatch(tr.valLabels, d.Val.A, d.Val.B)
	tr.exp.Task.labelBatch(tr.testLabels, d.Test.A, d.Test.B)
	tr.choice, tr.choiceLabels = d.Val, tr.valLabels
	if tr.p.Replay.Has(replayTestSelection) { // the original had no validation set (replay.go)
		tr.choice, tr.choiceLabels = d.Test, tr.testLabels
	}
}

// train runs one trial: a fresh network, from the draw of initial weights
// and batches that kind names, trained at learning rate lr for up to steps
// steps by trainSteps. If the context is cancelled it returns early; the
// caller discards the experiment.
func (tr *experimentTrainer) train(kind trialKind, lr float64, steps int) trialResult {
	if tr.ctx.Err() != nil {
		return trialResult{LR: lr} // cancelled: the caller discards the experiment
	}
	initSeed, batchSeed := tr.initSeed, tr.batchSeed
	if kind == longTrial {
		initSeed, batchSeed = hashWords(initSeed, hashString("long run")), hashWords(batchSeed, hashString("long run"))
	}
	if tr.p.Replay.Has(replayOverlap) { // every trial its own data, weights and batches (replay.go)
		initSeed, batchSeed = tr.overlapTrial(initSeed, batchSeed)
	}
	tr.trials++
	tr.m.startTrial(initSeed, lr, steps)
	tr.batches = rng{state: batchSeed}
	var res trialResult
	if tr.p.Replay.Has(replayTrainStop) { // the original's early stopping (replay.go)
		res = trainStepsOnTrainingBatches(tr.p, steps, tr)
	} else {
		res = trainSteps(tr.p, steps, tr)
	}
	res.LR = lr
	tr.diverged = res.Diverged
	return res
}

// step trains the model on the trial's next batch; a cancelled context
// reports cancelled instead.
func (tr *experimentTrainer) step() (float32, bool) {
	if tr.ctx.Err() != nil {
		return 0, true
	}
	m := tr.m
	tr.data.fillTrainBatch(&tr.batches, m.a.Value, m.b.Value)
	tr.exp.Task.labelBatch(m.label.Value, m.a.Value, m.b.Value)
	tr.steps.Add(1)
	return m.step(), false
}

// checkSubset measures the first CheckSize records of the set choices are
// made on (the validation set).
func (tr *experimentTrainer) checkSubset() float64 {
	return tr.m.evaluate(tr.choice, tr.choiceLabels, tr.p.CheckSize).Accuracy
}

// validate measures the whole set choices are made on (the validation set).
func (tr *experimentTrainer) validate() evalResult {
	return tr.m.evaluate(tr.choice, tr.choiceLabels, 0)
}

// test measures the network of the last trial on the test set and the
// extrapolation sets.
func (tr *experimentTrainer) test() testResult {
	if tr.diverged {
		return failedTest(tr.data.gen)
	}
	t := testResult{evalResult: tr.m.evaluate(tr.data.Test, tr.testLabels, 0)}
	for i, s := range tr.extrap {
		t.Extrapolation[i] = notMeasured
		if s.Labels != nil {
			t.Extrapolation[i] = tr.m.evaluate(s.Split, s.Labels, 0)
		}
	}
	return t
}
