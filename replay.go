// replay.go: the replay of the original 2018 code (issue 13). Each
// behaviour of the original that our fixed protocol (PROTOCOL.md) corrects
// is a switch, which can be turned on alone over the fixed protocol
// (-replay residual-eval,train-stop) or all at once (-protocol 2018), so
// that what each bug did to the article's conclusions can be measured.
// The default is the fixed protocol: with no switch on, nothing here
// changes a number.
//
// Each switch is defined by what the original code did, never by fitting
// its results file. Citations are to Octavian-ai/reasoning-operations at
// commit 3d86709c (src/*.py) and to earlier versions by commit
// (fops/*.py@a723b1fb, @6df77c5f), by the line numbers of the copies the
// search tools' read_file returns (some files open with blank lines; we
// take them to be the files' own, so the numbers should be GitHub's). The research behind each switch, with
// the TensorFlow 1.x sources it rests on, is the replay note of issue 13.
//
// Not replayed, as too small to matter or impossible to pin down: the
// original's float64 networks on random, random_pos and one_hot (numpy's
// default dtype reached tf.layers; only many_hot was float32), which
// matters mostly to nan-drop (see there); its checkpoints, reused when a
// process restarted (src/experiments.py:36, 108); and its metric's
// tf.pow(10.0, 0.5) in float32 (3.1622777) for our exact √10.
//
// This file holds the switch set and its parsing, and as much of each
// switch's code as can live apart from the code it changes; every place
// elsewhere that obeys a switch asks Replay.Has for it by name.
package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ---------------------------------------------------------------------------
// The switches.

// replaySwitch is one behaviour of the original code the replay can turn on.
type replaySwitch uint8

const (
	// replayResidualEval: residual skips in training, none at evaluation.
	// The original added a layer's skip only when the static shapes of its
	// input and output compared equal, batch dimension included
	// (src/networks.py:33-34). Training read its batches with a static size
	// of 32 (src/experiments.py:92-94, 108: numpy_input_fn with
	// num_epochs=None dequeues with dequeue_many), so every 256 -> 256
	// layer had its skip; evaluation read batches of unknown size
	// (src/experiments.py:110: num_epochs=1, dequeue_up_to, shape
	// [None, ...]), and in TensorFlow 1.x Dimension(None) == Dimension(None)
	// is None, which is falsy: no layer had its skip. The skips hold no
	// variables, so the trained checkpoint restored without a word.
	// Ours trains a dense_residual network with its skips and evaluates it
	// (every check, validation and test measure) with the same layers and
	// no skips (evaluatedNetwork). train-stop's training-batch accuracy is
	// read off the training pass, skips included, as the original's was.
	replayResidualEval replaySwitch = iota

	// replayRandomPos: random_pos drawn as random. The original's table of
	// datasets maps both "random" and "random_pos" to gen_random
	// (src/datasets.py:92-93; gen_random, 79-82, is uniform in [-1, 1));
	// gen_random_pos (84-87, uniform in [0, 1)) is never called. So was
	// fops/datasets.py@a723b1fb:94, for the whole study. Ours draws
	// random_pos records with random's generator, from random_pos's own
	// streams, so never the same records as random (replayGenerator); rows
	// still say random_pos.
	replayRandomPos

	// replayTestSelection: every choice made on the test set, which is what
	// is reported. The original had no validation set (src/datasets.py:11:
	// a dataset is train and test) and measured each trial on the test set
	// (src/experiments.py:110). That measure decided success (247-248), the
	// decreases (252-255), the best trial (261: lowest test loss), whether
	// the long run was skipped (204) and whether it was kept (214-217), and
	// was the row reported (150-153). Ours makes the test set the set every
	// choice is made on (experimentTrainer.useData): gridThenLong's choices,
	// and, when train-stop is off, the fixed protocol's early-stopping
	// checks too (a hybrid the original never ran: its early stopping used
	// training batches, see train-stop). A row's val_accuracy is then the
	// test accuracy, the measure the choices were made on. The comparisons
	// are the original's: >= for success, < 0.7 x the previous trial for a
	// decrease, > for keeping the long run; its > 0.99 for skipping the long
	// run agrees with our >= because its accuracies were float32, never
	// exactly the double 0.99.
	replayTestSelection

	// replayTrainStop: early stopping on the running mean of the training
	// batches' accuracy. The original's metric and its EarlyStoppingHook
	// lived in the training graph (src/experiments.py:60-74, the hook at
	// 73 with target 0.99): every 100th session run (src/hooks.py:6,
	// 15-16, 19) it fetched tf.metrics.accuracy's update op, whose value is
	// the running total of correct elements over elements of the batches
	// of steps 100, 200, ... only (the metric is updated only when
	// fetched), from the predictions of that step's forward pass, before
	// its update; it stopped when that mean, a float32, was strictly above
	// 0.99 (hooks.py:23-26), after the step's update. The totals started
	// afresh with every trial, and nothing was checked at the end. Ours:
	// trainStepsOnTrainingBatches.
	replayTrainStop

	// replayOverlap: no uniqueness, no disjointness, and every trial drawn
	// afresh. The original put records in a set through a wrapper with a
	// hash and no __eq__ (src/datasets.py:16-22), so every draw was a new
	// member: one_hot made 1,004,000 draws of a pair with replacement
	// (49-50), read the set back in its table's order, which clusters the
	// copies of a pair, and took the first 1,000,000 as training records
	// and the next 4,000 as the test set (52-56); every test pair was in
	// the training array. random and many_hot made independent draws (62-82).
	// Every trial called gen_dataset() anew (src/experiments.py:34) and
	// built a new Estimator, so each trial had its own data and its own
	// initial weights; batches came from a 1,000-record shuffle queue fed
	// consecutive training records from a random offset (numpy_input_fn,
	// src/experiments.py:94). Ours: newOverlapData, overlapStream,
	// experimentTrainer.overlapTrial (fresh weights per trial are part of
	// this switch: both come from run_experiment building everything anew).
	replayOverlap

	// replayOneHotSum128: one_hot_sum 128 wide. The original labelled
	// one_hot_sum with tf.one_hot(argmax a + argmax b, bus_width), 128 wide
	// (src/tasks.py:12-18, 34), and tf.one_hot gives an all-zero row for an
	// index out of range: every sum of 128 or more (8,128 of the 16,384
	// pairs) had an all-zero label. Ours: replayTask.
	replayOneHotSum128

	// replayLRCarry: each experiment's search starts from the rate of the
	// experiment before it. The original looped over networks, then
	// datasets, then tasks (src/experiments.py:135-137), and gave each
	// experiment the lr of the last row written, if any (143-144, 148),
	// which its search tried before the nine grid rates (226-232), as one
	// more trial whose decreases count. A row's lr was the trial's rate
	// (244), or, when the long run was kept, the evaluation's float32 mean
	// of it (69), which the next experiment carried. Ours runs each chain
	// (carryChains: the original's processes) in that order on one worker
	// (carryPlan, carryJobs, runJob in sweep.go), so a result is still a
	// pure function of its seed: gridThenLongCarried. On its own (without
	// overlap) every trial of an experiment starts from the same weights
	// and batches, as in the fixed protocol, so a carried rate equal to a
	// grid rate trains the same network twice; in the original the two were
	// independent draws.
	replayLRCarry

	// replayNaNDrop: a NaN loss loses the experiment. TensorFlow 1.x's
	// Estimator always adds a NanTensorHook that raises on the first NaN
	// training loss; the original's bare except swallowed it
	// (src/experiments.py:158-159), so the experiment wrote no row and
	// passed no rate on: likely the cause of its 9 missing cells. Ours
	// ends the experiment at its first diverged trial (gridThenLong) with
	// an error row (nanDropError), which lr-carry skips. One
	// approximation: our divergence is also an infinite loss, or a
	// non-finite measure at the end of a trial; the original trained on
	// through an infinite loss (np.isnan(inf) is false), which in practice
	// turns into NaN at the next step. And one difference: the original's
	// networks on random, random_pos and one_hot computed in float64, ours
	// in float32, which overflows sooner, so this switch can drop
	// experiments of those datasets the original kept (its 9 were all on
	// many_hot, float32 there too); the report counts drops per dataset.
	// A dropped experiment is absent from the report's statistics, as
	// from the original's tables.
	replayNaNDrop
)

// replayNames are the switches' names on the command line and in the
// protocol string, indexed by replaySwitch.
var replayNames = [...]string{
	replayResidualEval:  "residual-eval",
	replayRandomPos:     "random-pos",
	replayTestSelection: "test-selection",
	replayTrainStop:     "train-stop",
	replayOverlap:       "overlap",
	replayOneHotSum128:  "one-hot-sum-128",
	replayLRCarry:       "lr-carry",
	replayNaNDrop:       "nan-drop",
}

// Replay is a set of switches, one bit per replaySwitch. The zero value,
// no switch on, is the fixed protocol.
type Replay uint16

// replayAll is every switch: the original's protocol, -protocol 2018.
const replayAll Replay = 1<<len(replayNames) - 1

// Has reports whether switch s is on.
func (r Replay) Has(s replaySwitch) bool { return r&(1<<s) != 0 }

// String names the switches on, in replayNames' order, joined by "+";
// "" for none.
func (r Replay) String() string {
	var on []string
	for s, name := range replayNames {
		if r.Has(replaySwitch(s)) {
			on = append(on, name)
		}
	}
	return strings.Join(on, "+")
}

// replayVersion names the replay's own code, as protocolVersion names the
// code the replay shares with the fixed protocol. It is written into the
// protocol string of replay rows only, so bump it whenever a change to the
// replay alters a number a replay row holds: the fixed protocol's rows stay
// valid. v2: almost_equal passes no rate on in lr-carry's chains 1 and 2
// (no v1 rows were ever committed).
const replayVersion = "v2"

// protocolValue is the replay's setting in the protocol string:
// "v2:residual-eval+train-stop".
func (r Replay) protocolValue() string { return replayVersion + ":" + r.String() }

// parseReplayValue reads the replay's setting back from the protocol string.
func parseReplayValue(val string) (Replay, error) {
	version, names, _ := strings.Cut(val, ":")
	if version != replayVersion {
		return 0, fmt.Errorf("made by another version of the replay code (this one is %s)", replayVersion)
	}
	var r Replay
	for _, name := range strings.Split(names, "+") {
		s := slices.Index(replayNames[:], name)
		if s < 0 {
			return 0, fmt.Errorf("unknown replay switch %q", name)
		}
		r |= 1 << s
	}
	return r, nil
}

// replayFlags returns the switches that -protocol (protocol) and -replay
// (names, nil when not given) ask for: the fixed protocol, or 2018 with
// every switch on; plus each switch named, or all for "2018". An error
// names the valid choices.
func replayFlags(protocol string, names []string) (Replay, error) {
	var r Replay
	switch protocol {
	case "fixed":
	case "2018":
		r = replayAll
	default:
		return 0, fmt.Errorf("-protocol %q: unknown protocol (valid: fixed, 2018)", protocol)
	}
	for _, name := range names {
		if name == "2018" {
			r = replayAll
			continue
		}
		s := slices.Index(replayNames[:], name)
		if s < 0 {
			return 0, fmt.Errorf("-replay: unknown switch %q (valid: %s; or 2018 for all)", name, strings.Join(replayNames[:], ", "))
		}
		r |= 1 << s
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// residual-eval, random-pos, one-hot-sum-128: a different network, dataset
// or task.

// evaluatedNetwork returns the network every evaluation of n runs: n
// itself, or under residual-eval, for a dense_residual n, the same layers
// as a plain dense stack, so that no layer has its skip (residualSkips is
// all false for typeDense).
func evaluatedNetwork(n *Network, r Replay) *Network {
	if !r.Has(replayResidualEval) || n.Spec.Type != typeDenseResidual {
		return n
	}
	plain := *n
	plain.Spec.Type = typeDense
	return &plain
}

// replayGenerator returns the generator kind's records are drawn with:
// kind's own, or random's for random_pos under random-pos.
func replayGenerator(kind datasetKind, r Replay) datasetKind {
	if kind == randomPos && r.Has(replayRandomPos) {
		return random
	}
	return kind
}

// replayTask returns t as the replay has it: one_hot_sum 128 wide, with
// its sums of 128 or more labelled all zeros, under one-hot-sum-128.
func replayTask(t Task, r Replay) Task {
	if t.Name == "one_hot_sum" && r.Has(replayOneHotSum128) {
		t.Width, t.label = busWidth, labelOneHotSum128
	}
	return t
}

// labelOneHotSum128: out (W) is the one-hot of argmax a + argmax b, all
// zeros when the sum is W or more, as tf.one_hot(c, 128) labelled it
// (src/tasks.py:18).
func labelOneHotSum128(a, b, out []float32) {
	clear(out)
	if s := argmax(a) + argmax(b); s < len(out) {
		out[s] = 1
	}
}

// ---------------------------------------------------------------------------
// train-stop: the original's early stopping.

// batchStepper is a training whose steps can be stopped the original's
// way: besides stepper's methods, it counts the elements of the batch just
// stepped that the predictions made before the step's update got right.
type batchStepper interface {
	stepper
	batchCorrect() (correct, elements int)
}

// trainStepsOnTrainingBatches is trainSteps with the original's stopping
// rule (replayTrainStop): up to steps steps; at every p.CheckEvery-th step
// (100, the hook's check_every) the batch's correct elements and elements
// are added to totals kept since the start of this training; the training
// stops after that step, its update applied, once correct/elements,
// divided in float32 as the original's float32 metric was, is strictly
// above p.Target. The comparison is in float64, as NumPy 1.x compared the
// fetched float32 with the Python float 0.99: so 99/100, which is
// 0.99000001 in float32, passes (a training whose first check is all
// wrong and every later one all right stops at its 100th check, step
// 10,000). Counts are exact: a training has at most a few hundred checks
// of 32·O elements, far below float32's 2^24. A NaN or infinite loss stops
// it as diverged. A training ends measured on the whole set choices are
// made on; a stop counts as a confirmed check (no subset here, so none is
// rejected).
func trainStepsOnTrainingBatches(p Protocol, steps int, t batchStepper) trialResult {
	var res trialResult
	var correct, elements int
	for res.Steps < steps {
		loss, cancelled := t.step()
		if cancelled {
			return res
		}
		res.Steps++
		if isNonFinite(float64(loss)) {
			res.Val, res.Diverged = failedEval, true
			return res
		}
		if res.Steps%p.CheckEvery != 0 {
			continue
		}
		c, n := t.batchCorrect()
		correct, elements = correct+c, elements+n
		if float64(float32(correct)/float32(elements)) > p.Target {
			res.ChecksConfirmed++
			break
		}
	}
	if res.Val = t.validate(); isNonFinite(res.Val.Loss) {
		res.Val, res.Diverged = failedEval, true
	}
	return res
}

// isNonFinite reports whether x is NaN or infinite.
func isNonFinite(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// batchCorrect counts the elements of the last training batch that its
// predictions, made before the step's update, got right (elementCorrect).
func (tr *experimentTrainer) batchCorrect() (correct, elements int) {
	pred, label := tr.m.out.Value.Data, tr.m.label.Value.Data
	for i, p := range pred {
		if elementCorrect(p, label[i]) {
			correct++
		}
	}
	return correct, len(pred)
}

// ---------------------------------------------------------------------------
// overlap: every trial its own data, drawn the original's way.

// shuffleQueueCapacity is the original's training shuffle queue: TF 1.x
// numpy_input_fn's default queue_capacity (src/experiments.py:94).
const shuffleQueueCapacity = 1000

// overlapTrial readies the trainer's next trial under overlap: from the
// second trial on, it draws the trial's own data (newOverlapData), and it
// returns initSeed and batchSeed made the trial's own, so that every trial,
// the long run included, starts from its own initial weights and batches.
func (tr *experimentTrainer) overlapTrial(initSeed, batchSeed uint64) (uint64, uint64) {
	if tr.trials > 0 { // the first trial's data came with the trainer
		d, err := newOverlapData(tr.p, tr.exp, tr.trials)
		if err != nil {
			panic(fmt.Sprintf("overlapTrial: %v (the first trial's data were drawn with the same sizes)", err))
		}
		tr.useData(d)
	}
	k := uint64(tr.trials)
	return hashWords(initSeed, hashString("overlap trial"), k), hashWords(batchSeed, hashString("overlap trial"), k)
}

// newOverlapData draws the data of e's trial number trial under overlap,
// from a seed of its own. The seed is (e.Seed, e.Dataset, trial), as the
// fixed protocol's sets depend on seed and dataset alone: trial k of every
// experiment on a dataset sees the same draws, so networks still compare
// on the same data, where the original drew anew for each experiment.
//
//   - one_hot: p.TrainSize + p.TestSize pairs drawn uniformly with
//     replacement, added to an emulated Python set (pythonSet) and read
//     back in its table's order: the first p.TrainSize are the training
//     array, the next p.TestSize the test set (src/datasets.py:49-56).
//     Batches come from a shuffle queue over the training array
//     (overlapStream).
//   - the others: p.TestSize independent records as the test set, and a
//     stream of independent records for training (src/datasets.py:62-82);
//     no record is checked against another.
//
// The validation set, used only when test-selection is off (a hybrid the
// original never ran, having none), is p.ValSize independent records (for
// one_hot, uniform pairs), drawn apart from the set so that the set holds
// exactly the original's draws. Unlike the fixed protocol's, one_hot's
// training array is stored: 2 bytes a record (2 MB), and 4 MB more for the
// set's table while it is built, per trial in flight.
func newOverlapData(p Protocol, e Experiment, trial int) (*Data, error) {
	if p.TrainSize < 1 || p.ValSize < 1 || p.TestSize < 1 {
		return nil, fmt.Errorf("dataset sizes must be positive: train %d, validation %d, test %d", p.TrainSize, p.ValSize, p.TestSize)
	}
	if e.Dataset == oneHot && p.TrainSize < p.BatchSize {
		return nil, fmt.Errorf("overlap: one_hot's training array of %d records is smaller than a batch of %d", p.TrainSize, p.BatchSize)
	}
	seed := hashWords(e.Seed, uint64(e.Dataset), hashString("overlap trial"), uint64(trial))
	d := &Data{
		Kind: e.Dataset, gen: replayGenerator(e.Dataset, p.Replay), seed: seed, TrainSize: p.TrainSize,
		Val:     Split{newTensor(p.ValSize, busWidth), newTensor(p.ValSize, busWidth)},
		Test:    Split{newTensor(p.TestSize, busWidth), newTensor(p.TestSize, busWidth)},
		overlap: &overlapStream{gen: replayGenerator(e.Dataset, p.Replay)},
	}
	drawSplit := func(s Split, stream uint64) {
		r := newRNG(seed, stream)
		for i := 0; i < s.A.Rows; i++ {
			drawRecord(d.gen, &r, s.A.Row(i), s.B.Row(i))
		}
	}
	drawSplit(d.Val, streamVal)
	if e.Dataset != oneHot {
		drawSplit(d.Test, streamTest)
		return d, nil
	}
	pairs := pythonSetOrder(p.TrainSize+p.TestSize, newRNG(seed, streamTrain), pythonHashes(e.Seed))
	setOneHotRows(d.Test, pairs[p.TrainSize:])
	d.overlap.startQueue(pairs[:p.TrainSize], newRNG(seed, hashString("queue offset")))
	return d, nil
}

// overlapStream is the training stream of one trial under overlap. For
// one_hot it emulates the original's input pipeline, a RandomShuffleQueue
// of capacity 1,000 that one thread fed with consecutive records of the
// training array, from a random offset and wrapping at its end, and that
// each step dequeued 32 records from at random (TF 1.x numpy_input_fn,
// feeding_functions._enqueue_data). Approximation: the queue is taken to
// be always full when a batch is dequeued (its feeder thread always
// ahead). For the other datasets every record is a fresh independent draw,
// which is what a walk over independently drawn records amounts to.
type overlapStream struct {
	gen   datasetKind
	train []uint16 // one_hot: the training array, pairs ia·W + ib in the set's order
	queue []uint16 // one_hot: the records in the shuffle queue
	next  int      // one_hot: the next record of train to enqueue
}

// startQueue sets the one_hot training array and fills the queue from a
// random offset in it, drawn from r.
func (s *overlapStream) startQueue(train []uint16, r rng) {
	s.train, s.next = train, r.intn(len(train))
	s.queue = make([]uint16, min(shuffleQueueCapacity, len(train)))
	for i := range s.queue {
		s.queue[i] = s.take()
	}
}

// take returns the next training record to enqueue.
func (s *overlapStream) take() uint16 {
	p := s.train[s.next]
	s.next = (s.next + 1) % len(s.train)
	return p
}

// fillBatch fills the rows of a and b (N,W) with the next batch, using r
// for the random choices: for one_hot, N records dequeued at random
// without replacement, then N consecutive ones enqueued in their place.
// It allocates nothing.
func (s *overlapStream) fillBatch(r *rng, a, b *Tensor) {
	if s.train == nil {
		for row := 0; row < a.Rows; row++ {
			drawRecord(s.gen, r, a.Row(row), b.Row(row))
		}
		return
	}
	n := len(s.queue)
	if a.Rows > n {
		panic(fmt.Sprintf("overlapStream.fillBatch: a batch of %d from a queue of %d", a.Rows, n))
	}
	for row := 0; row < a.Rows; row++ {
		k := r.intn(n - row) // among the records still in the queue, kept in queue[:n-row]
		p := s.queue[k]
		s.queue[k], s.queue[n-1-row] = s.queue[n-1-row], p
		ar, br := a.Row(row), b.Row(row)
		clear(ar)
		clear(br)
		ar[int(p)/busWidth] = 1
		br[int(p)%busWidth] = 1
	}
	for row := 0; row < a.Rows; row++ {
		s.queue[n-1-row] = s.take()
	}
}

// pythonHashes returns the hash of each one_hot pair for seed: a 64-bit
// pseudo-random value per pair. Approximation: it stands in for CPython's
// SipHash of the pair's bytes (src/datasets.py:22) under the random key of
// one Python process, which is the same for every trial of the process;
// here the seed plays the process. It is faithful in distribution, not
// byte for byte.
func pythonHashes(seed uint64) []uint64 {
	h := make([]uint64, oneHotDomain)
	for i := range h {
		h[i] = hashWords(seed, hashString("python hash"), uint64(i))
	}
	return h
}

// pythonSetOrder draws n pairs ia·W + ib uniformly with replacement from r,
// adds them in order to a pythonSet with the given hashes, and returns them
// in the set's order, as the original's list(set) read them
// (src/datasets.py:49-52).
func pythonSetOrder(n int, r rng, hashes []uint64) []uint16 {
	s := newPythonSet(hashes)
	for i := 0; i < n; i++ {
		s.add(uint16(r.intn(busWidth)*busWidth + r.intn(busWidth)))
	}
	return s.keys()
}

// CPython 3.6's set table constants (Objects/setobject.c).
const (
	pySetMinSize   = 8 // PySet_MINSIZE, a new set's slots
	pyLinearProbes = 9 // LINEAR_PROBES
	pyPerturbShift = 5 // PERTURB_SHIFT
)

// pythonSet emulates the hash table of a CPython 3.6 set whose members
// never compare equal (the original's wrapper had a hash and no __eq__, so
// every add made a new member): set_add_entry, set_insert_clean and
// set_table_resize of Objects/setobject.c, without deletions. A key's
// hash is hashes[key].
type pythonSet struct {
	hashes []uint64
	slots  []uint16 // key+1 in each occupied slot, 0 in an empty one; len a power of two
	used   int      // members (fill = used: nothing is deleted)
}

// newPythonSet returns an empty set of keys with the given hashes.
func newPythonSet(hashes []uint64) *pythonSet {
	return &pythonSet{hashes: hashes, slots: make([]uint16, pySetMinSize)}
}

// add adds key as a new member; when the table is two thirds full it is
// rebuilt with the smallest power of two above 4·used slots (2·used beyond
// 50,000), its members inserted again in slot order.
func (s *pythonSet) add(key uint16) {
	pySetInsert(s.slots, key, s.hashes[key])
	s.used++
	if mask := len(s.slots) - 1; s.used*3 < mask*2 {
		return
	}
	minUsed := s.used * 4
	if s.used > 50000 {
		minUsed = s.used * 2
	}
	size := pySetMinSize
	for size <= minUsed {
		size <<= 1
	}
	old := s.slots
	s.slots = make([]uint16, size)
	for _, k := range old {
		if k != 0 {
			pySetInsert(s.slots, k-1, s.hashes[k-1])
		}
	}
}

// pySetInsert puts key, of hash h, in the first empty slot of its probe
// sequence: its home slot i = h & mask, then, if i+9 stays inside the
// table, the 9 slots after it; then i = (5i + 1 + perturb) & mask with
// perturb (from h) shifted right by 5 first, and so on.
func pySetInsert(slots []uint16, key uint16, h uint64) {
	mask := uint64(len(slots) - 1)
	perturb, i := h, h&mask
	for {
		if slots[i] == 0 {
			slots[i] = key + 1
			return
		}
		if i+pyLinearProbes <= mask {
			for j := i + 1; j <= i+pyLinearProbes; j++ {
				if slots[j] == 0 {
					slots[j] = key + 1
					return
				}
			}
		}
		perturb >>= pyPerturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// keys returns the members in slot order, as iterating the set does.
func (s *pythonSet) keys() []uint16 {
	keys := make([]uint16, 0, s.used)
	for _, k := range s.slots {
		if k != 0 {
			keys = append(keys, k-1)
		}
	}
	return keys
}

// ---------------------------------------------------------------------------
// nan-drop.

// nanDropError is the error cell of an experiment nan-drop ends.
const nanDropError = "dropped by the original's bare except: a trial diverged (NaN loss), replay switch nan-drop"

// ---------------------------------------------------------------------------
// lr-carry: chains of experiments, each passing its rate to the next.

// carriedLR is the rate an experiment's search tries first under lr-carry:
// the lr of the last row its chain wrote without an error (the original
// appended a row only for an experiment that raised nothing); OK is false
// at the start of a chain.
type carriedLR struct {
	LR float64
	OK bool
}

// chainsBeforeAlmostEqual is how many of carryChains, from the first, the
// original ran before almost_equal existed: with eleven tasks.
const chainsBeforeAlmostEqual = 2

// after returns the rate carried past the experiment whose row is r.
// almost_equal in the chains that ran before it existed takes the carried
// rate but passes none on, so that logical_and takes equality's rate as in
// the original.
func (c carriedLR) after(r Row) carriedLR {
	if r.Error != "" || (r.Task == "almost_equal" && carryPlaces[r.Network][0] < chainsBeforeAlmostEqual) {
		return c
	}
	return carriedLR{LR: r.LR, OK: true}
}

// gridThenLongCarried is gridThenLong as the original ran it under
// lr-carry: carry's rate, if any, is tried before p.LRs as one more trial
// of the search, whose accuracy the next trial's decrease is judged
// against (src/experiments.py:226-232, 252-255); and a long run that is
// kept reports as its rate the evaluation's mean of it (evaluationMeanLR),
// which is what the next experiment carries.
func gridThenLongCarried(p Protocol, tr trainer, carry carriedLR) outcome {
	if carry.OK {
		p.LRs = append([]float64{carry.LR}, p.LRs...)
	}
	o := gridThenLong(p, tr)
	if o.FromLong {
		o.Chosen.LR = evaluationMeanLR(o.Chosen.LR, p)
	}
	return o
}

// evaluationMeanLR is the lr the original reported for a long run it kept:
// its evaluation's tf.metrics.mean of the rate (src/experiments.py:69),
// float32(lr) added once per evaluation batch in float32, then divided by
// the batches (125 for 4,000 test records at 32): 0.01 gives 0.0099999933.
func evaluationMeanLR(lr float64, p Protocol) float64 {
	batches := (p.TestSize + p.BatchSize - 1) / p.BatchSize
	var sum float32
	for i := 0; i < batches; i++ {
		sum += float32(lr)
	}
	return float64(sum / float32(batches))
}

// carryChains are the original's chains under lr-carry: each was one
// Python process, which started with no rate to carry and ran its networks
// in this order, each over carryDatasets, each over tasks. From the code
// versions and the restarts in its results file (the replay note, "The
// original's loop order"):
//  1. fops/networks.py@a723b1fb:43-54, the process of 2018-11-02;
//  2. the residual networks, fops/networks.py@6df77c5f:59-61;
//  3. the selu networks, the process of 2018-11-08 (order from its rows);
//  4. multiply_simple, src/networks.py:62;
//  5. dense-3 but selu, which the original never ran: a chain of its own.
//
// Every chain runs all twelve tasks, almost_equal included, although it
// did not exist yet when chains 1 and 2 ran; there it takes the carried rate
// and passes it on unchanged (carriedLR.after), so that every other
// experiment carries what the original's did. multiply is 256 wide as the
// article says (fops@a723b1fb had 128, and which width ran is not known).
var carryChains = [][]string{
	{"dense-1-linear", "dense-1-tanh", "dense-1-relu", "dense-1-sigmoid",
		"dense-2-linear", "dense-2-tanh", "dense-2-relu", "dense-2-sigmoid", "multiply"},
	{"dense_residual-2-linear", "dense_residual-2-tanh", "dense_residual-2-relu", "dense_residual-2-sigmoid",
		"dense_residual-3-linear", "dense_residual-3-tanh", "dense_residual-3-relu", "dense_residual-3-sigmoid"},
	{"dense-1-selu", "dense-2-selu", "dense-3-selu", "dense_residual-2-selu", "dense_residual-3-selu"},
	{"multiply_simple"},
	{"dense-3-linear", "dense-3-tanh", "dense-3-relu", "dense-3-sigmoid"},
}

// carryDatasets is the original's order of datasets (src/datasets.py:91-96).
// Its order of tasks (src/tasks.py:28-41) is that of tasks.
var carryDatasets = []datasetKind{random, randomPos, oneHot, manyHot}

// carryPlaces maps a network's name to its chain and its place in it.
var carryPlaces = func() map[string][2]int {
	m := map[string][2]int{}
	for c, chain := range carryChains {
		for i, name := range chain {
			m[name] = [2]int{c, i}
		}
	}
	return m
}()

// chainKey names one chain of one seed.
type chainKey struct {
	seed  uint64
	chain int
}

// carryPlace returns e's chain and its place in the chain: network, then
// dataset, then task (src/experiments.py:135-137).
func carryPlace(e Experiment) (chainKey, int) {
	c := carryPlaces[e.Network.Name]
	place := (c[1]*len(carryDatasets)+slices.Index(carryDatasets, e.Dataset))*len(paperTasks) + taskIndex[e.Task.Name]
	return chainKey{e.Seed, c[0]}, place
}

// carryExperiment returns the experiment at place in chain k.
func carryExperiment(k chainKey, place int) Experiment {
	network, _ := findNetwork(carryChains[k.chain][place/(len(carryDatasets)*len(paperTasks))])
	return Experiment{
		Task: paperTasks[place%len(paperTasks)], Dataset: carryDatasets[place/len(paperTasks)%len(carryDatasets)],
		Network: network, Seed: k.seed,
	}
}

// inShard reports whether chain k belongs to shard s: under lr-carry a
// shard holds whole chains, by a hash of the chain and seed.
func (k chainKey) inShard(s Shard) bool {
	return s.N == 0 || hashWords(hashString("lr-carry chain"), uint64(k.chain), k.seed)%uint64(s.N) == uint64(s.I)
}

// carryPrefixes returns, for each chain of the experiments es, the place of
// the last of them, with the chains in order (seed, then chain).
func carryPrefixes(es []Experiment) ([]chainKey, map[chainKey]int) {
	last := map[chainKey]int{}
	for _, e := range es {
		k, place := carryPlace(e)
		if p, ok := last[k]; !ok || place > p {
			last[k] = place
		}
	}
	keys := make([]chainKey, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b chainKey) int { return cmp.Or(cmp.Compare(a.seed, b.seed), cmp.Compare(a.chain, b.chain)) })
	return keys, last
}

// carryOutside returns the first of the selected experiments that no chain
// of the original's loop holds (a network or task beyond the paper's), as
// "network x task", or "" when every one is in a chain.
func carryOutside(selected []Experiment) string {
	for _, e := range selected {
		if _, ok := carryPlaces[e.Network.Name]; !ok || !isPaperTask(e.Task.Name) {
			return e.Network.Name + " x " + e.Task.Name
		}
	}
	return ""
}

// carryPlan returns the plan of the selected experiments under lr-carry:
// an experiment's rate depends on every experiment before it in its
// chain, so for each chain (of shard s) the plan holds the chain from its
// start up to its last selected experiment, in chain order; unselected
// tasks, datasets and networks, and excluded pairs, included. Each row is
// then a pure function of its experiment and seed, whatever was selected.
func carryPlan(selected []Experiment, s Shard) []Experiment {
	keys, last := carryPrefixes(selected)
	var plan []Experiment
	for _, k := range keys {
		if !k.inShard(s) {
			continue
		}
		for place := 0; place <= last[k]; place++ {
			plan = append(plan, carryExperiment(k, place))
		}
	}
	return plan
}

// carryJobs groups todo, the experiments of a carryPlan not yet in the
// results file, into one job per chain: the chain from its start up to its
// last experiment to run, the rows already in the file (finished) passing
// their rates on without running again.
func carryJobs(todo []Experiment, finished []Row) []job {
	done := make(map[string]Row, len(finished))
	for _, r := range finished {
		done[r.Key()] = r
	}
	keys, last := carryPrefixes(todo)
	jobs := make([]job, 0, len(keys))
	for _, k := range keys {
		j := job{done: done}
		for place := 0; place <= last[k]; place++ {
			j.experiments = append(j.experiments, carryExperiment(k, place))
		}
		jobs = append(jobs, j)
	}
	return jobs
}
