// sweep.go: one training, the learning-rate grid and long run, the list of
// experiments, the pool of workers that runs them, and the results file.
//
// An experiment is one (task, dataset, network, seed). Its procedure
// (PROTOCOL.md, "Learning-rate search, then a long run") is gridThenLong:
// trials at nine learning rates of GridSteps steps each, stopped early by a
// success or a second sharp drop in accuracy, then, unless a trial
// succeeded, one long run of LongSteps steps at the rate whose trial had the
// lowest validation loss. Choices are made on the validation set; the chosen
// network's accuracy and loss are then measured on the test set, which no
// choice has seen.
//
// Experiments run side by side on a pool of worker goroutines, one training
// per goroutine; a training spawns no goroutines of its own. Each finished
// experiment is appended to the results file as one CSV row and synced, so
// an interrupted run loses at most the experiments in flight, and running
// the same command again skips the experiments already in the file.
//
// Every number in a row, apart from its datetime and wall time, is a pure
// function of the experiment and its seed: the worker count, the order of
// experiments and any earlier interruption do not change it.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// protocolVersion names the training code's semantics. It is part of every
// row's protocol column, so that rows made by a version that trains
// differently are never mixed with this version's. Bump it whenever a change
// alters any number a row holds.
//
// reasonops-2: an early-stopping check that passes on the subset is
// confirmed on the whole validation set before a training stops, and the
// long run draws its own initial weights and batches; the seeds left the
// protocol string (a seed is a row's property).
const protocolVersion = "reasonops-2"

// Protocol holds every setting that decides an experiment's numbers, apart
// from the experiment's own seed, which each row records: one results file
// holds rows of any number of seeds.
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
}

// evalBatch is the number of records one forward pass of an evaluation
// handles. The early-stopping check evaluates the first evalBatch validation
// records, one pass, and only when they reach the target the whole
// validation set: checking the whole set every 100 steps would cost about
// half of the training time, the subset about 3%. The subset decides when
// to look; only the whole set decides whether to stop.
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

// String describes the protocol in one line, which is the results file's
// protocol column: rows are resumed and merged together only if these
// strings are equal. parseProtocol reads it back.
func (p Protocol) String() string {
	lrs := make([]string, len(p.LRs))
	for i, lr := range p.LRs {
		lrs[i] = formatFloat(lr)
	}
	return fmt.Sprintf("%s;grid=%d;long=%d;lrs=%s;batch=%d;check=%dx%d;target=%s;decrease=%sx%d;train=%d;val=%d;test=%d",
		protocolVersion, p.GridSteps, p.LongSteps, strings.Join(lrs, "/"), p.BatchSize, p.CheckEvery, p.CheckSize,
		formatFloat(p.Target), formatFloat(p.Decrease), p.MaxDecreases, p.TrainSize, p.ValSize, p.TestSize)
}

// protocolDiff names the settings in which two protocol strings differ, as
// "grid=5 there, grid=6 here; ..." (a, the existing one, is "there").
func protocolDiff(there, here string) string {
	a, b := strings.Split(there, ";"), strings.Split(here, ";")
	var diffs []string
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := "(none)", "(none)"
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			diffs = append(diffs, x+" there, "+y+" here")
		}
	}
	return strings.Join(diffs, "; ")
}

// parseProtocol reads a Protocol back from its String form; it accepts only
// the exact form String writes.
func parseProtocol(s string) (Protocol, error) {
	var p Protocol
	bad := func(why string) (Protocol, error) {
		return Protocol{}, fmt.Errorf("protocol %q: %s", truncate(s, 60), why)
	}
	parts := strings.Split(s, ";")
	if parts[0] != protocolVersion {
		return bad("made by another version of the training code (this one is " + protocolVersion + ")")
	}
	for _, part := range parts[1:] {
		key, val, _ := strings.Cut(part, "=")
		var err error
		switch key {
		case "grid":
			p.GridSteps, err = strconv.Atoi(val)
		case "long":
			p.LongSteps, err = strconv.Atoi(val)
		case "lrs":
			for _, f := range strings.Split(val, "/") {
				lr, e := strconv.ParseFloat(f, 64)
				err = errors.Join(err, e)
				p.LRs = append(p.LRs, lr)
			}
		case "batch":
			p.BatchSize, err = strconv.Atoi(val)
		case "check":
			_, err = fmt.Sscanf(val, "%dx%d", &p.CheckEvery, &p.CheckSize)
		case "target":
			p.Target, err = strconv.ParseFloat(val, 64)
		case "decrease":
			d, n, _ := strings.Cut(val, "x")
			p.Decrease, err = strconv.ParseFloat(d, 64)
			if err == nil {
				p.MaxDecreases, err = strconv.Atoi(n)
			}
		case "train":
			p.TrainSize, err = strconv.Atoi(val)
		case "val":
			p.ValSize, err = strconv.Atoi(val)
		case "test":
			p.TestSize, err = strconv.Atoi(val)
		default:
			return bad("unknown setting " + key)
		}
		if err != nil {
			return bad("malformed setting " + part)
		}
	}
	if p.String() != s {
		return bad("settings missing or not in their usual form")
	}
	return p, nil
}

// ---------------------------------------------------------------------------
// The model: a network wired for training and for evaluation.

// model is a network with everything one training needs, allocated once:
// a training tape at batch N with its input, label and loss nodes, Adam's
// moments, and a forward-only evaluation tape at batch evalBatch over the
// same parameters.
type model struct {
	net             *Network
	tape            *Tape
	a, b            *Node // (N,W) training inputs, filled before each step
	label           *Node // (N,O) training labels
	loss            *Node // (1,1)
	opt             *Adam
	eval            *Tape
	evalA, evalB    *Node // (evalBatch,W)
	evalOut         *Node // (evalBatch,O)
	evalCorrectRows []bool
}

// newModel builds spec for output width out at the study's widths, for
// training batches of batch records. sparse says the inputs are mostly
// zeros (one_hot, many_hot), so that the layers reading them skip the zeros.
func newModel(spec NetworkSpec, out, batch int, sparse bool) (*model, error) {
	net, err := newNetwork(spec, busWidth, hiddenWidth, out)
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
	m.loss = m.tape.MSE(net.Record(m.tape, m.a, m.b), m.label)
	m.opt = newAdam(net.Params(), 0)
	m.evalOut = net.Record(m.eval, m.evalA, m.evalB)
	return m, nil
}

// step runs one training step on the batch in m.a, m.b and m.label: forward,
// loss, backward, Adam update. It returns the batch's loss (before the
// update) and allocates nothing.
func (m *model) step() float32 {
	m.tape.Forward()
	m.tape.ZeroGrads()
	m.tape.Backward(m.loss)
	m.opt.Step()
	return m.loss.Value.Data[0]
}

// evalResult is the measure of a network on a set of records.
type evalResult struct {
	Accuracy       float64 // fraction of output elements within tolerance of the label
	Loss           float64 // mean squared error over all output elements
	RecordAccuracy float64 // fraction of records whose every element is within tolerance
}

// failedEval is the measure given to a diverged network.
var failedEval = evalResult{Accuracy: 0, Loss: math.Inf(1), RecordAccuracy: 0}

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
// Experiments and trials.

// Experiment is one cell of the study: a task learned by a network on a
// dataset, from a seed.
type Experiment struct {
	Task    Task
	Dataset datasetKind
	Network NetworkSpec
	Seed    uint64
}

// Key identifies the experiment in a results file: task/dataset/network/seed.
func (e Experiment) Key() string {
	return experimentKey(e.Task.Name, datasetNames[e.Dataset], e.Network.Name, e.Seed)
}

// experimentKey builds Experiment.Key from its parts.
func experimentKey(task, dataset, network string, seed uint64) string {
	return fmt.Sprintf("%s/%s/%s/%d", task, dataset, network, seed)
}

// Excluded reports whether the experiment's (task, dataset) pair is left
// out of the analysis (see exclusionReason).
func (e Experiment) Excluded() bool {
	return exclusionReason(e.Task.Name, datasetNames[e.Dataset]) != ""
}

// trialResult is what one training reports: its learning rate, the steps it
// ran, its validation measure, and (filled in by gridThenLong only for
// trials that may be chosen) its test measure.
type trialResult struct {
	LR       float64
	Steps    int
	Diverged bool // the loss became NaN or infinite; Val is failedEval
	Val      evalResult
	Test     evalResult
	// Early-stopping checks whose validation subset reached the target,
	// and which the whole validation set then confirmed (the training
	// stopped) or rejected (it went on).
	ChecksConfirmed, ChecksRejected int
}

// trialKind says which draw of initial weights and batches a training
// starts from: every grid trial starts from the same one, so that the grid
// compares learning rates and not draws; the long run, a fresh network,
// starts from its own.
type trialKind int

const (
	gridTrial trialKind = iota
	longRun
)

// trainer runs the trials of one experiment. train trains a fresh network
// of the given kind at learning rate lr for up to steps steps and measures
// it on the validation set; test measures the network the last train call
// left on the test set. sweep_test.go scripts one to test gridThenLong's
// rules.
type trainer interface {
	train(kind trialKind, lr float64, steps int) trialResult
	test() evalResult
}

// outcome is an experiment's result: the chosen trial and counts over all
// of its trials.
type outcome struct {
	Chosen          trialResult
	FromLong        bool // the chosen trial is the long run
	Trials          int  // trainings run, the long run included
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
//     the result is the long run if its
//     validation accuracy is higher than the best trial's, else the best
//     trial.
//
// The test set is measured only for trials that may become the result.
func gridThenLong(p Protocol, tr trainer) outcome {
	var o outcome
	run := func(kind trialKind, lr float64, steps int) trialResult {
		r := tr.train(kind, lr, steps)
		o.Trials++
		o.TotalSteps += r.Steps
		o.ChecksConfirmed += r.ChecksConfirmed
		o.ChecksRejected += r.ChecksRejected
		if r.Diverged {
			o.DivergedTrials++
		}
		return r
	}
	var best trialResult
	haveBest, decreases, previous := false, 0, 0.0
	for i, lr := range p.LRs {
		r := run(gridTrial, lr, p.GridSteps)
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
		long := run(longRun, best.LR, p.LongSteps)
		if long.Val.Accuracy > best.Val.Accuracy {
			long.Test = tr.test()
			o.Chosen, o.FromLong = long, true
		}
	}
	return o
}

// experimentRun trains one experiment's trials: it is the trainer that
// gridThenLong drives for real.
type experimentRun struct {
	ctx        context.Context
	p          Protocol
	exp        Experiment
	data       *Data
	m          *model
	valLabels  *Tensor // (ValSize, O)
	testLabels *Tensor // (TestSize, O)
	initSeed   uint64  // every grid trial starts from the same initial weights
	batchSeed  uint64  // and sees the same sequence of batches; the long run draws both afresh
	batches    rng     // the batch stream of the trial in progress
	diverged   bool    // the last trial diverged
}

// newExperimentRun generates the experiment's data and labels and builds
// its model.
func newExperimentRun(ctx context.Context, p Protocol, e Experiment) (*experimentRun, error) {
	data, err := newData(e.Dataset, e.Seed, p.TrainSize, p.ValSize, p.TestSize)
	if err != nil {
		return nil, err
	}
	m, err := newModel(e.Network, e.Task.Width, p.BatchSize, e.Dataset.sparse())
	if err != nil {
		return nil, err
	}
	r := &experimentRun{
		ctx: ctx, p: p, exp: e, data: data, m: m,
		valLabels:  newTensor(p.ValSize, e.Task.Width),
		testLabels: newTensor(p.TestSize, e.Task.Width),
		initSeed:   hashWords(e.Seed, hashString(e.Task.Name), uint64(e.Dataset), hashString(e.Network.Name)),
		batchSeed:  hashWords(e.Seed, uint64(e.Dataset), hashString("batches")),
	}
	e.Task.labelBatch(r.valLabels, data.Val.A, data.Val.B)
	e.Task.labelBatch(r.testLabels, data.Test.A, data.Test.B)
	return r, nil
}

// train runs one trial: a fresh network, from the draw of initial weights
// and batches that kind names, trained at learning rate lr for up to steps
// steps by trainSteps. If the run's context is cancelled it returns early;
// the caller discards the experiment.
func (r *experimentRun) train(kind trialKind, lr float64, steps int) trialResult {
	if r.ctx.Err() != nil {
		return trialResult{LR: lr} // cancelled: the caller discards the experiment
	}
	initSeed, batchSeed := r.initSeed, r.batchSeed
	if kind == longRun {
		initSeed, batchSeed = hashWords(initSeed, hashString("long run")), hashWords(batchSeed, hashString("long run"))
	}
	r.m.net.Init(initSeed)
	r.m.opt.Reset(lr)
	r.batches = rng{state: batchSeed}
	res := trainSteps(r.p, steps, r)
	res.LR = lr
	r.diverged = res.Diverged
	return res
}

// stepper is one training in progress, as trainSteps drives it.
// experimentRun is the real one; sweep_test.go scripts one.
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

// step trains the model on the run's next batch; a cancelled run context
// reports cancelled instead.
func (r *experimentRun) step() (float32, bool) {
	if r.ctx.Err() != nil {
		return 0, true
	}
	m := r.m
	r.data.fillTrainBatch(&r.batches, m.a.Value, m.b.Value)
	r.exp.Task.labelBatch(m.label.Value, m.a.Value, m.b.Value)
	return m.step(), false
}

// checkSubset measures the first CheckSize validation records.
func (r *experimentRun) checkSubset() float64 {
	return r.m.evaluate(r.data.Val, r.valLabels, r.p.CheckSize).Accuracy
}

// validate measures the whole validation set.
func (r *experimentRun) validate() evalResult {
	return r.m.evaluate(r.data.Val, r.valLabels, 0)
}

// test measures the network of the last trial on the test set.
func (r *experimentRun) test() evalResult {
	if r.diverged {
		return failedEval
	}
	return r.m.evaluate(r.data.Test, r.testLabels, 0)
}

// runExperiment runs e under protocol p and returns its results row. A
// panic inside the training is recovered and recorded in the row's error
// column, so a failure is kept, never dropped; ok is false only when ctx
// was cancelled before the experiment finished.
func runExperiment(ctx context.Context, p Protocol, e Experiment) (row Row, ok bool) {
	start := time.Now()
	row = newRow(p, e)
	defer func() {
		if v := recover(); v != nil {
			row.Error = fmt.Sprintf("panic: %v; %s", v, firstFrame(debug.Stack()))
			ok = ctx.Err() == nil
		}
		row.Datetime = time.Now().Format(datetimeLayout)
		row.WallSeconds = time.Since(start).Seconds()
	}()
	run, err := newExperimentRun(ctx, p, e)
	if err != nil {
		row.Error = err.Error()
		return row, true
	}
	o := gridThenLong(p, run)
	if ctx.Err() != nil {
		return row, false
	}
	row.fill(o)
	return row, true
}

// firstFrame picks the innermost reasonops frame out of a stack trace, to
// keep an error cell short.
func firstFrame(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "main.") && !strings.HasPrefix(l, "main.runExperiment") && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	return "no frame"
}

// ---------------------------------------------------------------------------
// The plan: which experiments a run covers.

// Plan is the list of experiments a command selects, in run order, with the
// protocol they run under.
type Plan struct {
	Protocol    Protocol
	Experiments []Experiment
}

// Selection is what the command line asks for: names of tasks, datasets
// and networks (all when empty), whether to keep the excluded pairs, the
// seeds (Seeds of them from Seed; Seeds 0 means seed 1 alone, the paper
// grid's default), and which shard of the experiments to run.
type Selection struct {
	Tasks, Datasets, Networks []string
	All                       bool
	Seed                      uint64
	Seeds                     int
	Shard                     Shard
}

// Shard is one of N parts of a study: the experiments whose identity hash
// (see Experiment.inShard) is I modulo N. The zero value is the whole study.
type Shard struct{ I, N int }

// String formats the shard as "i/n", or "" for the whole study.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// parseShard reads "i/n" with 0 <= i < n.
func parseShard(s string) (Shard, error) {
	var sh Shard
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return sh, fmt.Errorf("-shard %q: want i/n with 0 <= i < n, e.g. 0/4 (the first of four shards)", s)
	}
	return Shard{I: i, N: n}, nil
}

// Index returns the experiment's place in the full grid of one seed (task,
// then dataset, then network, in the orders of tasks, datasetNames and
// networkSpecs; 12 x 4 x 27 = 1,296 places), plus 1,296 per seed: the order
// of a merged results file.
func (e Experiment) Index() uint64 {
	t, _ := taskIndex(e.Task.Name)
	n, _ := networkIndex(e.Network.Name)
	cell := uint64((t*len(datasetNames)+int(e.Dataset))*len(networkSpecs()) + n)
	return e.Seed*uint64(len(tasks)*len(datasetNames)*len(networkSpecs())) + cell
}

// inShard reports whether the experiment belongs to shard s: whether a hash
// of its identity (task, dataset, network, seed) is s.I modulo s.N. The hash
// depends on the experiment alone, never on the flags, so a shard holds the
// same experiments whatever else was selected; and, unlike Index modulo N,
// it spreads every network and task evenly over the shards (with N = 3, 9
// or 27, Index modulo N would put each network in one shard).
func (e Experiment) inShard(s Shard) bool {
	if s.N == 0 {
		return true
	}
	h := hashWords(hashString(e.Task.Name), uint64(e.Dataset), hashString(e.Network.Name), e.Seed)
	return h%uint64(s.N) == uint64(s.I)
}

// taskIndex returns the position of the named task in tasks.
func taskIndex(name string) (int, bool) {
	for i, t := range tasks {
		if t.Name == name {
			return i, true
		}
	}
	return -1, false
}

// networkIndex returns the position of the named network in networkSpecs.
func networkIndex(name string) (int, bool) {
	for i, n := range networkSpecs() {
		if n.Name == name {
			return i, true
		}
	}
	return -1, false
}

// newPlan resolves sel into experiments: for each of sel's seeds, each task,
// dataset and network in that order, skipping excluded (task, dataset) pairs
// unless sel.All, and those outside sel.Shard. Unknown names are errors
// that list the valid ones.
func newPlan(p Protocol, sel Selection) (Plan, error) {
	ts := tasks
	if len(sel.Tasks) > 0 {
		ts = nil
		for _, name := range sel.Tasks {
			t, err := lookupTask(name)
			if err != nil {
				return Plan{}, err
			}
			ts = append(ts, t)
		}
	}
	ds := []datasetKind{oneHot, manyHot, random, randomPos}
	if len(sel.Datasets) > 0 {
		ds = nil
		for _, name := range sel.Datasets {
			d, err := parseDataset(name)
			if err != nil {
				return Plan{}, err
			}
			ds = append(ds, d)
		}
	}
	ns := networkSpecs()
	if len(sel.Networks) > 0 {
		ns = nil
		for _, name := range sel.Networks {
			n, err := lookupNetwork(name)
			if err != nil {
				return Plan{}, err
			}
			ns = append(ns, n)
		}
	}
	first, seeds := sel.Seed, sel.Seeds
	if seeds == 0 {
		first, seeds = 1, 1
	}
	if first > math.MaxUint64-uint64(seeds-1) {
		return Plan{}, fmt.Errorf("-seed %d -seeds %d: the last seed would pass %d, the largest seed", first, seeds, uint64(math.MaxUint64))
	}
	plan := Plan{Protocol: p}
	for s := 0; s < seeds; s++ {
		for _, t := range ts {
			for _, d := range ds {
				for _, n := range ns {
					e := Experiment{Task: t, Dataset: d, Network: n, Seed: first + uint64(s)}
					if (e.Excluded() && !sel.All) || !e.inShard(sel.Shard) {
						continue
					}
					plan.Experiments = append(plan.Experiments, e)
				}
			}
		}
	}
	return plan, nil
}

// resultsPath returns the results file of a shard in dir: results.csv for
// the whole study, results-shard-I-of-N.csv for shard I/N.
func resultsPath(dir string, s Shard) string {
	if s.N == 0 {
		return filepath.Join(dir, "results.csv")
	}
	return filepath.Join(dir, fmt.Sprintf("results-shard-%d-of-%d.csv", s.I, s.N))
}

// ---------------------------------------------------------------------------
// The worker pool.

// Progress is a snapshot of a sweep, passed to the progress callback after
// each experiment finishes.
type Progress struct {
	Done, Total int           // experiments finished (skipped ones included) and selected
	Skipped     int           // found already in the results file
	Successes   int           // finished this run with test accuracy >= target
	Elapsed     time.Duration // since this run started
	Last        *Row          // the experiment just finished (nil for the first report)
	DroppedTorn int           // bytes of a torn last line dropped from the results file on opening
}

// ETA estimates the time left from this run's pace so far.
func (p Progress) ETA() time.Duration {
	ran := p.Done - p.Skipped
	if ran == 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) / float64(ran) * float64(p.Total-p.Done))
}

// sweep runs every experiment of plan not already in the results file at
// path, on workers goroutines, appending one row per finished experiment.
// It returns when all are done or ctx is cancelled; in-flight experiments
// are then dropped. progress, if not nil, is called from one goroutine
// after each experiment.
func sweep(ctx context.Context, plan Plan, path string, workers int, progress func(Progress)) error {
	rf, err := openResults(path, plan.Protocol.String())
	if err != nil {
		return err
	}
	defer rf.Close()
	var todo []Experiment
	for _, e := range plan.Experiments {
		if !rf.Has(e.Key()) {
			todo = append(todo, e)
		}
	}
	prog := Progress{Total: len(plan.Experiments), Skipped: len(plan.Experiments) - len(todo), DroppedTorn: rf.droppedTorn}
	prog.Done = prog.Skipped
	start := time.Now()
	if progress != nil {
		progress(prog)
	}
	if workers < 1 {
		workers = 1
	}
	jobs := make(chan Experiment)
	rows := make(chan Row)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				if row, ok := runExperiment(ctx, plan.Protocol, e); ok {
					rows <- row
				}
			}
		}()
	}
	go func() {
	feed:
		for _, e := range todo {
			select {
			case jobs <- e:
			case <-ctx.Done():
				break feed
			}
		}
		close(jobs)
		wg.Wait()
		close(rows)
	}()
	var writeErr error
	for row := range rows {
		if writeErr != nil {
			continue // keep draining so the workers can finish
		}
		if writeErr = rf.Append(row); writeErr != nil {
			continue
		}
		prog.Done++
		if row.Error == "" && row.Accuracy >= plan.Protocol.Target {
			prog.Successes++
		}
		prog.Elapsed = time.Since(start)
		prog.Last = &row
		if progress != nil {
			progress(prog)
		}
	}
	if writeErr != nil {
		return writeErr
	}
	return ctx.Err()
}

// ---------------------------------------------------------------------------
// Results rows and the results file.

// datetimeLayout is the original's datetime format.
const datetimeLayout = "2006-01-02 15:04:05"

// Row is one experiment's line in the results file. The original's columns
// come first: accuracy and loss are the chosen network's, on the test set;
// lr and global_step are its learning rate and the steps it trained.
type Row struct {
	Task, Dataset     string
	NetworkType       string
	NetworkDepth      int
	NetworkActivation string
	AccuracyPct       string  // round(accuracy·100), as the original printed it: "99.0%"
	Accuracy          float64 // test accuracy (the original's element-wise metric)
	Loss              float64 // test mean squared error
	LR                float64
	GlobalStep        int
	Datetime          string // when the experiment finished, local time

	Network         string  // our name for the network, e.g. dense-2-relu
	Seed            uint64  // the experiment's seed
	ValAccuracy     float64 // validation accuracy of the chosen trial
	RecordAccuracy  float64 // test: fraction of records with every element correct
	TotalSteps      int     // steps over all trials of the experiment
	Trials          int     // trainings run, the long run included
	DivergedTrials  int     // trainings whose loss became NaN or infinite
	ChecksConfirmed int     // early-stopping checks the whole validation set confirmed (the training stopped)
	ChecksRejected  int     // checks whose subset passed and whole validation set did not (training went on)
	Chosen          string  // "grid" (a grid trial) or "long" (the long run); "" on error
	Excluded        bool    // the (task, dataset) pair is excluded from the analysis
	WallSeconds     float64 // wall time of the experiment
	Error           string  // why the experiment failed; "" when it ran
	Protocol        string  // Protocol.String() of the run that made the row
}

// column is one column of the results file: its name in the header, how a
// row's cell is written, and how it is read back (an error says what is
// wrong with the cell).
type column struct {
	name  string
	write func(r *Row) string
	read  func(r *Row, cell string) error
}

// textColumn, countColumn, numberColumn build the columns of a string, a
// non-negative int and a float64 field.
func textColumn(name string, field func(r *Row) *string) column {
	return column{name,
		func(r *Row) string { return *field(r) },
		func(r *Row, c string) error { *field(r) = c; return nil }}
}

func countColumn(name string, field func(r *Row) *int) column {
	return column{name,
		func(r *Row) string { return strconv.Itoa(*field(r)) },
		func(r *Row, c string) error {
			v, err := strconv.Atoi(c)
			if err != nil || v < 0 {
				return fmt.Errorf("%s %q is not a count", name, c)
			}
			*field(r) = v
			return nil
		}}
}

func numberColumn(name string, field func(r *Row) *float64) column {
	return column{name,
		func(r *Row) string { return formatFloat(*field(r)) },
		func(r *Row, c string) error {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				return fmt.Errorf("%s %q is not a number", name, c)
			}
			*field(r) = v
			return nil
		}}
}

// resultsColumns is the results file's layout, the one place that knows it:
// the original's eleven columns first, in its order, then ours. The header,
// the writer (Row.fields) and the reader (parseRow) all come from it.
var resultsColumns = []column{
	// the original's
	textColumn("task", func(r *Row) *string { return &r.Task }),
	textColumn("dataset", func(r *Row) *string { return &r.Dataset }),
	textColumn("network_type", func(r *Row) *string { return &r.NetworkType }),
	countColumn("network_depth", func(r *Row) *int { return &r.NetworkDepth }),
	textColumn("network_activation", func(r *Row) *string { return &r.NetworkActivation }),
	textColumn("accuracy_pct", func(r *Row) *string { return &r.AccuracyPct }),
	numberColumn("accuracy", func(r *Row) *float64 { return &r.Accuracy }),
	numberColumn("loss", func(r *Row) *float64 { return &r.Loss }),
	numberColumn("lr", func(r *Row) *float64 { return &r.LR }),
	countColumn("global_step", func(r *Row) *int { return &r.GlobalStep }),
	textColumn("datetime", func(r *Row) *string { return &r.Datetime }),
	// ours
	textColumn("network", func(r *Row) *string { return &r.Network }),
	{"seed",
		func(r *Row) string { return strconv.FormatUint(r.Seed, 10) },
		func(r *Row, c string) error {
			v, err := strconv.ParseUint(c, 10, 64)
			if err != nil {
				return fmt.Errorf("seed %q is not a seed", c)
			}
			r.Seed = v
			return nil
		}},
	numberColumn("val_accuracy", func(r *Row) *float64 { return &r.ValAccuracy }),
	numberColumn("record_accuracy", func(r *Row) *float64 { return &r.RecordAccuracy }),
	countColumn("total_steps", func(r *Row) *int { return &r.TotalSteps }),
	countColumn("trials", func(r *Row) *int { return &r.Trials }),
	countColumn("diverged_trials", func(r *Row) *int { return &r.DivergedTrials }),
	countColumn("checks_confirmed", func(r *Row) *int { return &r.ChecksConfirmed }),
	countColumn("checks_rejected", func(r *Row) *int { return &r.ChecksRejected }),
	textColumn("chosen", func(r *Row) *string { return &r.Chosen }),
	{"excluded",
		func(r *Row) string { return strconv.FormatBool(r.Excluded) },
		func(r *Row, c string) error {
			v, err := strconv.ParseBool(c)
			if err != nil {
				return fmt.Errorf("excluded %q is not true or false", c)
			}
			r.Excluded = v
			return nil
		}},
	{"wall_seconds",
		func(r *Row) string { return strconv.FormatFloat(r.WallSeconds, 'f', 3, 64) },
		numberColumn("wall_seconds", func(r *Row) *float64 { return &r.WallSeconds }).read},
	textColumn("error", func(r *Row) *string { return &r.Error }),
	textColumn("protocol", func(r *Row) *string { return &r.Protocol }),
}

// resultsHeader is the results file's first line: the columns' names.
var resultsHeader = func() []string {
	names := make([]string, len(resultsColumns))
	for i, c := range resultsColumns {
		names[i] = c.name
	}
	return names
}()

// newRow returns e's row with the identity columns set.
func newRow(p Protocol, e Experiment) Row {
	return Row{
		Task: e.Task.Name, Dataset: datasetNames[e.Dataset],
		NetworkType: e.Network.Type, NetworkDepth: e.Network.Depth, NetworkActivation: e.Network.Activation,
		Network: e.Network.Name, Seed: e.Seed, Excluded: e.Excluded(), Protocol: p.String(),
	}
}

// fill sets the result columns from an experiment's outcome.
func (r *Row) fill(o outcome) {
	c := o.Chosen
	r.Accuracy, r.Loss, r.RecordAccuracy = c.Test.Accuracy, c.Test.Loss, c.Test.RecordAccuracy
	r.AccuracyPct = fmt.Sprintf("%.1f%%", math.RoundToEven(r.Accuracy*100))
	r.LR, r.GlobalStep, r.ValAccuracy = c.LR, c.Steps, c.Val.Accuracy
	r.TotalSteps, r.Trials, r.DivergedTrials = o.TotalSteps, o.Trials, o.DivergedTrials
	r.ChecksConfirmed, r.ChecksRejected = o.ChecksConfirmed, o.ChecksRejected
	r.Chosen = "grid"
	if o.FromLong {
		r.Chosen = "long"
	}
}

// Key identifies the row's experiment (see Experiment.Key).
func (r Row) Key() string { return experimentKey(r.Task, r.Dataset, r.Network, r.Seed) }

// formatFloat formats x in the shortest form that reads back exactly.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// fields returns the row's cells in resultsColumns' order.
func (r Row) fields() []string {
	cells := make([]string, len(resultsColumns))
	for i, c := range resultsColumns {
		cells[i] = c.write(&r)
	}
	return cells
}

// parseRow reads a row from its cells, checking every number and that the
// task, dataset and network are known.
func parseRow(f []string) (Row, error) {
	if len(f) != len(resultsColumns) {
		return Row{}, fmt.Errorf("%d cells, want %d", len(f), len(resultsColumns))
	}
	var r Row
	for i, c := range resultsColumns {
		if err := c.read(&r, f[i]); err != nil {
			return Row{}, err
		}
	}
	if _, err := lookupTask(r.Task); err != nil {
		return Row{}, err
	}
	if _, err := parseDataset(r.Dataset); err != nil {
		return Row{}, err
	}
	if _, err := lookupNetwork(r.Network); err != nil {
		return Row{}, err
	}
	return r, nil
}

// encodeRow returns the CSV line of cells, newline included.
func encodeRow(cells []string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(cells) // a bytes.Buffer cannot fail
	w.Flush()
	return buf.Bytes()
}

// readResults parses a whole results file's contents. A last line without
// its newline is an append that was cut short (the process was killed
// mid-write): it is never parsed, and torn reports its length so that the
// caller can drop it. Any other malformed line is an error naming its line
// number.
func readResults(data []byte) (rows []Row, torn int, err error) {
	if len(data) == 0 {
		return nil, 0, nil
	}
	if cut := bytes.LastIndexByte(data, '\n') + 1; cut < len(data) {
		torn = len(data) - cut
		data = data[:cut]
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, torn, fmt.Errorf("line 1: not a results file (%v)", err)
	}
	if strings.Join(header, ",") != strings.Join(resultsHeader, ",") {
		return nil, torn, fmt.Errorf("line 1: not a reasonops results file (its header is %q)", truncate(strings.Join(header, ","), 80))
	}
	for {
		cells, err := r.Read()
		if err == io.EOF {
			return rows, torn, nil
		}
		if err != nil { // a csv.ParseError, which names its line
			return nil, torn, err
		}
		line, _ := r.FieldPos(0)
		row, err := parseRow(cells)
		if err != nil {
			return nil, torn, fmt.Errorf("line %d: %v", line, err)
		}
		rows = append(rows, row)
	}
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// setupError is a problem with the results file that the user can fix
// before any training starts: an unwritable folder, a file that is not a
// results file, a file of another protocol.
type setupError struct{ msg string }

// Error returns the one-line message.
func (e setupError) Error() string { return e.msg }

// setupErrorf formats a setupError.
func setupErrorf(format string, args ...any) error { return setupError{fmt.Sprintf(format, args...)} }

// resultsFile is an open results file that rows are appended to.
type resultsFile struct {
	path string
	f    *os.File
	done map[string]bool // keys of the experiments already in the file
	// droppedTorn is the length of a torn last line found and dropped on
	// opening (an append cut short by a kill), 0 if there was none.
	droppedTorn int
}

// openResults opens the results file at path for appending, creating it
// (and its folder) with a header if it does not exist. An existing file is
// read first: its rows' experiments count as done, a torn last line is
// dropped, and a file whose rows were made under another protocol is
// refused without being modified.
func openResults(path, protocol string) (*resultsFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, setupErrorf("cannot create the output folder: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, setupErrorf("cannot read %s: %v", path, err)
	}
	rows, torn, err := readResults(data)
	if err != nil {
		return nil, setupErrorf("%s: %v", path, err)
	}
	rf := &resultsFile{path: path, done: map[string]bool{}}
	for _, r := range rows {
		if r.Protocol != protocol {
			return nil, setupErrorf("%s holds results of another protocol (%s): use another -out folder or the same settings",
				path, protocolDiff(r.Protocol, protocol))
		}
		rf.done[r.Key()] = true
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, setupErrorf("cannot write %s: %v", path, err)
	}
	rf.f = f
	if torn > 0 {
		rf.droppedTorn = torn
		if err := f.Truncate(int64(len(data) - torn)); err != nil {
			f.Close()
			return nil, setupErrorf("cannot drop the torn last line of %s: %v", path, err)
		}
	}
	if len(data)-torn == 0 {
		if _, err := f.Write(encodeRow(resultsHeader)); err != nil {
			f.Close()
			return nil, setupErrorf("cannot write %s: %v", path, err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, setupErrorf("cannot write %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, setupErrorf("cannot write %s: %v", path, err)
	}
	return rf, nil
}

// Has reports whether the experiment with this key is in the file.
func (rf *resultsFile) Has(key string) bool { return rf.done[key] }

// Append writes row as one line with a single write and syncs it to disk.
func (rf *resultsFile) Append(row Row) error {
	if _, err := rf.f.Write(encodeRow(row.fields())); err != nil {
		return fmt.Errorf("cannot append to %s: %v", rf.path, err)
	}
	if err := rf.f.Sync(); err != nil {
		return fmt.Errorf("cannot sync %s: %v", rf.path, err)
	}
	rf.done[row.Key()] = true
	return nil
}

// Close closes the file.
func (rf *resultsFile) Close() error { return rf.f.Close() }

// ---------------------------------------------------------------------------
// The run log: facts about each invocation, beside the results.

// runsLogName is the file in the output folder that gets one JSON line per
// study invocation; the report reads it for the run's facts.
const runsLogName = "runs.jsonl"

// RunRecord is one invocation of the study: what was run, where, how long.
type RunRecord struct {
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	Command     string    `json:"command"`      // as typed, e.g. "go run . -quick"
	GoVersion   string    `json:"go"`           // runtime.Version()
	Kernel      string    `json:"kernel"`       // the matrix kernels in use, e.g. "plain Go" or "AVX-512"
	CPU         string    `json:"cpu"`          // the CPU model, from /proc/cpuinfo where there is one
	CPUs        int       `json:"cpus"`         // runtime.NumCPU()
	Workers     int       `json:"workers"`      // the -workers value
	Selected    int       `json:"selected"`     // experiments the flags selected
	Ran         int       `json:"ran"`          // experiments this invocation finished and wrote
	Interrupted bool      `json:"interrupted"`  // stopped by Ctrl-C or SIGTERM before the end
	WallSeconds float64   `json:"wall_seconds"` // Finished - Started
}

// appendRunRecord adds rec as one line to DIR/runs.jsonl.
func appendRunRecord(dir string, rec RunRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, runsLogName), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readRunRecords reads DIR/runs.jsonl; a missing file gives no records, and
// lines that do not parse (a torn last line, say) are skipped.
func readRunRecords(dir string) []RunRecord {
	data, err := os.ReadFile(filepath.Join(dir, runsLogName))
	if err != nil {
		return nil
	}
	var recs []RunRecord
	for _, line := range bytes.Split(data, []byte("\n")) {
		var r RunRecord
		if len(bytes.TrimSpace(line)) > 0 && json.Unmarshal(line, &r) == nil {
			recs = append(recs, r)
		}
	}
	return recs
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH where
// there is no such file.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// ---------------------------------------------------------------------------
// Merging shard files.

// sameResult reports whether two rows hold the same result: every cell
// equal apart from the datetime and wall time, which vary between runs.
func (r Row) sameResult(o Row) bool {
	r.Datetime, r.WallSeconds, o.Datetime, o.WallSeconds = "", 0, "", 0
	return r == o
}

// MergeSummary says what mergeResults did.
type MergeSummary struct {
	Rows       int          // rows in the merged file
	Duplicates int          // rows dropped because an equal row was already in
	Torn       []string     // inputs whose torn last line was ignored
	Missing    []Experiment // experiments of the selection that no file holds
}

// mergeResults merges the rows of the results files inputs, and of out
// itself if it exists, into out. All rows must come from one protocol
// (same settings; any seeds); a row repeated exactly is kept once; two rows
// of one experiment that disagree are refused. Rows are written in stable
// index order (seed first) to a temporary file that replaces out only when
// complete, so a refused or failed merge modifies nothing. Missing lists the
// experiments that sel selects under the rows' protocol and no input holds;
// with sel.Seeds 0, for every seed the rows hold.
func mergeResults(out string, inputs []string, sel Selection) (MergeSummary, error) {
	var sum MergeSummary
	if _, err := os.Stat(out); err == nil && !slices.Contains(inputs, out) {
		inputs = append([]string{out}, inputs...)
	}
	var rows []Row
	byKey := map[string]int{}
	protocol, protocolFrom := "", ""
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			return sum, setupErrorf("cannot read %s: %v", in, err)
		}
		rs, torn, err := readResults(data)
		if err != nil {
			return sum, setupErrorf("%s: %v", in, err)
		}
		if torn > 0 {
			sum.Torn = append(sum.Torn, in)
		}
		for _, r := range rs {
			if protocol == "" {
				protocol, protocolFrom = r.Protocol, in
			}
			if r.Protocol != protocol {
				return sum, setupErrorf("%s and %s come from different protocols (%s): refusing to merge them",
					protocolFrom, in, protocolDiff(protocol, r.Protocol))
			}
			if i, ok := byKey[r.Key()]; ok {
				if !rows[i].sameResult(r) {
					return sum, setupErrorf("%s holds experiment %s with a result that differs from another file's: refusing to merge", in, r.Key())
				}
				sum.Duplicates++
				continue
			}
			byKey[r.Key()] = len(rows)
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return sum, setupErrorf("no results in %s: nothing to merge", strings.Join(inputs, ", "))
	}
	p, err := parseProtocol(protocol)
	if err != nil {
		return sum, setupError{err.Error()}
	}
	index := func(r Row) uint64 {
		t, _ := lookupTask(r.Task)
		d, _ := parseDataset(r.Dataset)
		n, _ := lookupNetwork(r.Network)
		return Experiment{Task: t, Dataset: d, Network: n, Seed: r.Seed}.Index()
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(index(a), index(b)) })
	var buf bytes.Buffer
	buf.Write(encodeRow(resultsHeader))
	for _, r := range rows {
		buf.Write(encodeRow(r.fields()))
	}
	if err := writeFileAtomic(out, buf.Bytes()); err != nil {
		return sum, err
	}
	sum.Rows = len(rows)
	sels := []Selection{sel}
	if sel.Seeds == 0 { // no seeds asked for: those the rows hold
		sels = nil
		for _, r := range rows {
			if len(sels) == 0 || sels[len(sels)-1].Seed != r.Seed {
				one := sel
				one.Seed, one.Seeds = r.Seed, 1
				sels = append(sels, one)
			}
		}
	}
	for _, one := range sels {
		plan, err := newPlan(p, one)
		if err != nil {
			return sum, err
		}
		for _, e := range plan.Experiments {
			if _, ok := byKey[e.Key()]; !ok {
				sum.Missing = append(sum.Missing, e)
			}
		}
	}
	return sum, nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it,
// and renames it over path: readers see the old file or the new one, whole.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return setupErrorf("cannot create the output folder: %v", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".merge-*.csv")
	if err != nil {
		return setupErrorf("cannot write in %s: %v", filepath.Dir(path), err)
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %v", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot sync %s: %v", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
