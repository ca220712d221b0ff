// sweep.go: the plan of a study and the pool of workers that runs it. The
// plan is the list of experiments the command line selects (tasks x
// datasets x networks x seeds, less the excluded pairs, or one shard of
// them); the sweep hands the experiments not yet in the results file to a
// pool of worker goroutines, one training per goroutine, and appends each
// finished experiment's row to the file.
//
// Every number in a row, apart from its datetime and wall time, is a pure
// function of the experiment and its seed: the worker count, the order of
// experiments, the shards and any earlier interruption do not change it.
//
// This file knows nothing about how a network trains or computes (it calls
// trainExperiment, train.go) nor about the results file's format (it
// appends rows through results.go).
package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---------------------------------------------------------------------------
// The plan: which experiments a study covers.

// Plan is the list of experiments a command selects, in the order they
// start, with the protocol they train under.
type Plan struct {
	Protocol    Protocol
	Experiments []Experiment
}

// Selection is what the command line asks for: names of tasks, datasets
// and networks (when empty, the paper grid's: its tasks, all four datasets,
// its networks; any registered name may be given), whether to keep the excluded pairs, the
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

// resultsPath returns the results file of a shard in dir: results.csv for
// the whole study, results-shard-I-of-N.csv for shard I/N.
func resultsPath(dir string, s Shard) string {
	if s.N == 0 {
		return filepath.Join(dir, resultsName)
	}
	return filepath.Join(dir, fmt.Sprintf("results-shard-%d-of-%d.csv", s.I, s.N))
}

// newPlan resolves sel into experiments: for each of sel's seeds, each task,
// dataset and network in that order (the paper grid's unless sel names
// them), skipping excluded (task, dataset) pairs
// unless sel.All, and those outside sel.Shard. Under the replay's lr-carry
// the plan is instead the chains that lead up to those experiments
// (carryPlan, replay.go). Unknown names are errors that list the valid ones.
func newPlan(p Protocol, sel Selection) (Plan, error) {
	ts, err := pick(paperTasks, sel.Tasks, lookupTask)
	if err != nil {
		return Plan{}, err
	}
	ds, err := pick([]datasetKind{oneHot, manyHot, random, randomPos}, sel.Datasets, parseDataset)
	if err != nil {
		return Plan{}, err
	}
	ns, err := pick(paperNetworks, sel.Networks, findNetwork)
	if err != nil {
		return Plan{}, err
	}
	first, seeds := sel.Seed, sel.Seeds
	if seeds == 0 {
		first, seeds = 1, 1
	}
	if first > math.MaxUint64-uint64(seeds-1) {
		return Plan{}, fmt.Errorf("-seed %d -seeds %d: the last seed would pass %d, the largest seed", first, seeds, uint64(math.MaxUint64))
	}
	plan := Plan{Protocol: p}
	carry := p.Replay.Has(replayLRCarry) // shards hold whole chains
	for s := 0; s < seeds; s++ {
		for _, t := range ts {
			for _, d := range ds {
				for _, n := range ns {
					e := Experiment{Task: t, Dataset: d, Network: n, Seed: first + uint64(s)}
					if (e.Excluded() && !sel.All) || (!carry && !e.inShard(sel.Shard)) {
						continue
					}
					plan.Experiments = append(plan.Experiments, e)
				}
			}
		}
	}
	if carry {
		if out := carryOutside(plan.Experiments); out != "" {
			return Plan{}, fmt.Errorf("lr-carry replays the original's loop over the paper's networks and tasks; %s is not in it: select only those (or leave out lr-carry)", out)
		}
		plan.Experiments = carryPlan(plan.Experiments, sel.Shard)
	}
	return plan, nil
}

// pick returns all when names is empty, else what lookup finds for each
// name, in the names' order; the first name lookup refuses is the error.
func pick[T any](all []T, names []string, lookup func(string) (T, error)) ([]T, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []T
	for _, name := range names {
		x, err := lookup(name)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// missingExperiments lists the experiments that sel selects under the
// merged rows' protocol and no merged row holds; with sel.Seeds 0 (no
// seeds asked for), for every seed the rows hold.
func missingExperiments(merged MergeSummary, sel Selection) ([]Experiment, error) {
	sels := []Selection{sel}
	if sel.Seeds == 0 {
		sels = nil
		for _, seed := range merged.Seeds {
			one := sel
			one.Seed, one.Seeds = seed, 1
			sels = append(sels, one)
		}
	}
	var missing []Experiment
	for _, one := range sels {
		plan, err := newPlan(merged.Protocol, one)
		if err != nil {
			return nil, err
		}
		for _, e := range plan.Experiments {
			if !merged.Done[e.Key()] {
				missing = append(missing, e)
			}
		}
	}
	return missing, nil
}

// ---------------------------------------------------------------------------
// The order experiments start in, and the time they have left.

// startOrder sorts experiments into the order a sweep starts them: seed
// after seed (so that a long study of many seeds completes whole seeds as
// it goes, and a report part-way has complete seeds to judge), and within
// a seed the tasks take turns, each task's experiments in a fixed shuffle
// (by a hash of each experiment's identity). The plan's own order runs task after
// task, and tasks cost very different amounts (a task no network learns
// runs every trial and the long run in full), so the time the first
// experiments took said little about the rest; in this order the finished
// experiments are at every moment a fair sample of the whole, every task
// in proportion. The order changes no result.
func startOrder(es []Experiment) {
	type group struct {
		task string
		seed uint64
	}
	hash := make([]uint64, len(es))
	byTask := map[group][]int{}
	for i, e := range es {
		hash[i] = hashWords(hashString("start order"), hashString(e.Task.Name), uint64(e.Dataset), hashString(e.Network.Name), e.Seed)
		g := group{e.Task.Name, e.Seed}
		byTask[g] = append(byTask[g], i)
	}
	// A task's j-th experiment of n takes its turn at (j + offset)/n, the
	// offset (from the task's name) spreading the tasks over each round.
	turn := make([]float64, len(es))
	for g, idx := range byTask {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(hash[a], hash[b]) })
		offset := float64(hashString(g.task)%1024) / 1024
		for j, i := range idx {
			turn[i] = (float64(j) + offset) / float64(len(idx))
		}
	}
	perm := make([]int, len(es))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int {
		return cmp.Or(cmp.Compare(es[a].Seed, es[b].Seed), cmp.Compare(turn[a], turn[b]), cmp.Compare(hash[a], hash[b]))
	})
	sorted := make([]Experiment, len(es))
	for k, i := range perm {
		sorted[k] = es[i]
	}
	copy(es, sorted)
}

// etaMinRows is how many finished experiments (in the results file or run
// now) the ETA needs before it is shown. An experiment's wall time varies
// a hundredfold (a network that learns its task stops after a few hundred
// steps, one that does not trains 39,000), so a few experiments say little;
// the spread shown with the ETA says how little.
const etaMinRows = 10

// etaShrink holds how many experiments' worth of weight each group's
// estimate has against the finer group's own finished experiments: the
// network against all experiments, the (network, dataset) pair against
// the network, the cell (other seeds of the same experiment, which cost
// about the same) against the pair.
var etaShrink = [3]float64{2, 2, 0.5}

// etaModel estimates how long a sweep's unfinished experiments will take,
// from the wall times of finished ones. An experiment's estimate is the
// mean of the finished experiments of its cell (task, dataset, network;
// other seeds), shrunk towards that of its network and dataset, shrunk
// towards its network's, shrunk towards all experiments' mean (etaShrink):
// networks differ tenfold in the cost of a step. The tasks take turns
// (startOrder), so what has finished is a fair sample of the rest. Rows
// found in the results file may come from another build or machine: their
// times are scaled by speed, this run's times over what those rows
// estimated for the same experiments.
type etaModel struct {
	file, run etaSums // wall seconds of the rows found in the file, and of this run's
	left      []int   // left[cell]: selected experiments of the cell not finished
	leftAll   int     // their sum
	need      int     // finished experiments needed before an estimate is shown
	ranSecs   float64 // this run's wall seconds, over the experiments the file's rows could estimate
	ranEst    float64 // and what the file's rows estimated for them
	ranN      int     // how many
	speed     float64 // ranSecs/ranEst once ranN >= 3, else 1
}

// etaSums are wall-second sums and counts per group: all experiments, per
// network, per (network, dataset) and per cell.
type etaSums struct {
	all      etaSum
	net, nd  []etaSum
	cellSums []etaSum
}

// etaSum is a sum of wall seconds, and of their squares, over n experiments.
type etaSum struct {
	secs, sq float64
	n        int
}

// newEtaSums returns empty sums.
func newEtaSums() etaSums {
	return etaSums{net: make([]etaSum, len(networks)), nd: make([]etaSum, len(networks)*len(datasetNames)), cellSums: make([]etaSum, gridCells())}
}

// add counts secs for an experiment of cell.
func (s *etaSums) add(cell int, secs float64) {
	n, nd := cellNetwork(cell), cellNetworkDataset(cell)
	for _, g := range []*etaSum{&s.all, &s.net[n], &s.nd[nd], &s.cellSums[cell]} {
		g.secs += secs
		g.sq += secs * secs
		g.n++
	}
}

// groupsOf returns the sums of cell's groups, coarsest first: all
// experiments, its network, its network and dataset, the cell itself.
func (s *etaSums) groupsOf(cell int) [4]etaSum {
	return [4]etaSum{s.all, s.net[cellNetwork(cell)], s.nd[cellNetworkDataset(cell)], s.cellSums[cell]}
}

// cellNetwork and cellNetworkDataset return the network's place in networks,
// and the (network, dataset) pair's place, of a grid cell (Experiment.cell).
func cellNetwork(cell int) int { return cell % len(networks) }

func cellNetworkDataset(cell int) int {
	return (cell/len(networks))%len(datasetNames)*len(networks) + cell%len(networks)
}

// shrunkMean returns an experiment's estimate from the sums of its groups,
// coarsest first: each group's mean shrunk towards the coarser one's
// (etaShrink). It is 0 when the coarsest group is empty.
func shrunkMean(groups [4]etaSum) float64 {
	if groups[0].n == 0 {
		return 0
	}
	est := groups[0].secs / float64(groups[0].n)
	for i, g := range groups[1:] {
		est = (g.secs + etaShrink[i]*est) / (float64(g.n) + etaShrink[i])
	}
	return est
}

// newEtaModel returns the model of a sweep of todo, the selected experiments
// not yet finished, given the rows already finished (found in the results
// file, under the same protocol). The ETA is shown once etaMinRows
// experiments have finished, or half of all selected if that is fewer.
func newEtaModel(finished []Row, todo []Experiment) *etaModel {
	m := &etaModel{file: newEtaSums(), run: newEtaSums(), left: make([]int, gridCells()), speed: 1}
	for _, r := range finished {
		if r.Error == "" {
			m.file.add(r.experiment().cell(), r.WallSeconds)
		}
	}
	for _, e := range todo {
		m.left[e.cell()]++
	}
	m.leftAll = len(todo)
	m.need = min(etaMinRows, max(1, (len(finished)+len(todo))/2))
	return m
}

// finish records an experiment this run finished: its row's wall time.
func (m *etaModel) finish(r Row) {
	cell := r.experiment().cell()
	if m.left[cell] > 0 {
		m.left[cell]--
		m.leftAll--
	}
	if r.Error != "" { // an error, not a measure of cost
		return
	}
	if m.file.all.n > 0 {
		m.ranSecs += r.WallSeconds
		m.ranEst += shrunkMean(m.file.groupsOf(cell))
		if m.ranN++; m.ranN >= 3 && m.ranEst > 0 {
			m.speed = min(max(m.ranSecs/m.ranEst, 1.0/20), 20)
		}
	}
	m.run.add(cell, r.WallSeconds)
}

// combined returns the file's sums (scaled by speed) and this run's added,
// for cell's groups.
func (m *etaModel) combined(cell int) [4]etaSum {
	f, r := m.file.groupsOf(cell), m.run.groupsOf(cell)
	var g [4]etaSum
	for i := range g {
		g[i] = etaSum{f[i].secs*m.speed + r[i].secs, f[i].sq*m.speed*m.speed + r[i].sq, f[i].n + r[i].n}
	}
	return g
}

// flight is an experiment in training: its cell, and since when.
type flight struct {
	cell    int
	started time.Time
}

// eta is an estimate of the wall time left: about Left, within ±Spread
// (a fraction of Left) nine times in ten; Known is false until enough
// experiments have finished.
type eta struct {
	Left   time.Duration
	Spread float64
	Known  bool
}

// ETA estimates the wall time left, with the experiments in flight (their
// time so far taken off their estimates, or half as long again as they
// have run, once they have run past them) and the workers: the remaining
// work spread over the workers, but never less than the longest remaining
// experiment in flight. Its spread is what a sample of k finished
// experiments tells of m others like them: the wall times' coefficient of
// variation cv makes the estimate of their sum uncertain by a relative
// 1.64·cv·sqrt(1/k + 1/m) (a 90% interval, if the sample is fair, which
// startOrder sees to), applied to the share of the work whose cells have
// no finished experiment of their own.
func (m *etaModel) ETA(inFlight []flight, workers int, now time.Time) eta {
	if m.leftAll == 0 {
		return eta{Known: true}
	}
	all := m.combined(0)[0]
	if all.n < m.need {
		return eta{}
	}
	var work, unknownWork float64
	unknown := 0
	for cell, n := range m.left {
		if n == 0 {
			continue
		}
		g := m.combined(cell)
		est := float64(n) * shrunkMean(g)
		work += est
		if g[3].n == 0 {
			unknownWork += est
			unknown += n
		}
	}
	var longest float64
	for _, f := range inFlight {
		est := shrunkMean(m.combined(f.cell))
		ran := now.Sub(f.started).Seconds()
		rest := max(est-ran, ran/2) // past its estimate, it is likely one that trains in full: half as long again
		work += rest - est
		longest = max(longest, rest)
	}
	secs := max(work/float64(max(min(workers, m.leftAll), 1)), longest)
	e := eta{Left: time.Duration(secs * float64(time.Second)), Known: true}
	if k := float64(all.n); unknown > 0 && k > 1 && work > 0 {
		mean := all.secs / k
		sd := math.Sqrt(max(all.sq/k-mean*mean, 0) * k / (k - 1))
		e.Spread = 1.64 * sd / mean * math.Sqrt(1/k+1/float64(unknown)) * min(unknownWork/work, 1)
	}
	return e
}

// ---------------------------------------------------------------------------
// The worker pool.

// progressRefresh is how often a sweep reports its progress between
// finished experiments, so that a long training is seen to move.
const progressRefresh = 2 * time.Second

// progressEvent says why a Progress was reported.
type progressEvent int

const (
	progressStart progressEvent = iota // the results file is open; nothing has run yet
	progressRow                        // an experiment finished (Last)
	progressTick                       // progressRefresh passed
)

// Progress is a snapshot of a sweep, passed to the progress callback when
// it starts, after each experiment finishes, and every progressRefresh.
type Progress struct {
	Event         progressEvent
	Done, Total   int           // experiments finished (skipped ones included) and selected
	Skipped       int           // found already in the results file
	Successes     int           // finished by this invocation and succeeded (Row.succeeded)
	Workers       int           // trainings in parallel: the workers asked for, at most the experiments left
	Elapsed       time.Duration // since this invocation started
	ETA           eta           // the time left, estimated from the experiments finished (etaModel)
	InFlight      int           // experiments in training now
	InFlightSteps int64         // training steps they have done so far
	Last          *Row          // the experiment finished last (nil until one has)
}

// sweep runs every experiment of plan not already in the results file at
// path, on workers goroutines, appending one row per finished experiment:
// it opens the file (openResults) and runs sweepFile. progress, if not
// nil, is called from one goroutine.
func sweep(ctx context.Context, plan Plan, path string, workers int, progress func(Progress)) error {
	rf, err := openResults(path, plan.Protocol.String(), processLine(strings.Join(os.Args, " "), time.Now()))
	if err != nil {
		return err
	}
	defer rf.Close()
	return sweepFile(ctx, plan, rf, workers, progressRefresh, progress)
}

// sweepFile runs every experiment of plan not already in rf, in startOrder,
// on workers goroutines (at most one per experiment left), appending one
// row per finished experiment to rf. It returns when all are done or ctx is
// cancelled; in-flight experiments are then dropped. progress, if not nil,
// is called from one goroutine: at the start, after each experiment, and
// every refresh (if > 0).
func sweepFile(ctx context.Context, plan Plan, rf *resultsFile, workers int, refresh time.Duration, progress func(Progress)) error {
	var todo []Experiment
	for _, e := range plan.Experiments {
		if !rf.Has(e.Key()) {
			todo = append(todo, e)
		}
	}
	jobs := planJobs(plan.Protocol, todo, rf.rows)
	workers = max(min(workers, len(jobs)), 1)
	states := make([]workerState, workers)
	show := newProgressShow(plan, rf.rows, todo, states, progress)
	show.report(progressStart)
	var tick <-chan time.Time
	if refresh > 0 && progress != nil && len(todo) > 0 {
		t := time.NewTicker(refresh)
		defer t.Stop()
		tick = t.C
	}
	rows := startWorkers(ctx, plan.Protocol, jobs, states)
	var writeErr error
	for {
		select {
		case <-tick:
			show.report(progressTick)
		case row, ok := <-rows:
			switch {
			case !ok && writeErr != nil:
				return writeErr
			case !ok:
				return ctx.Err()
			case writeErr != nil:
				// keep draining so the workers can finish
			default:
				if writeErr = rf.Append(row); writeErr != nil {
					tick = nil
				} else {
					show.finished(row, plan.Protocol.Target)
				}
			}
		}
	}
}

// planJobs groups the experiments left, todo, into the jobs the workers
// take: one experiment each, in startOrder, or under the lr-carry replay
// whole chains in the original's order (carryJobs, replay.go), which need
// the rows already finished.
func planJobs(p Protocol, todo []Experiment, finished []Row) []job {
	if p.Replay.Has(replayLRCarry) {
		return carryJobs(todo, finished)
	}
	startOrder(todo)
	jobs := make([]job, 0, len(todo))
	for _, e := range todo {
		jobs = append(jobs, job{experiments: []Experiment{e}})
	}
	return jobs
}

// progressShow keeps the Progress of one sweepFile and hands it to the
// caller's progress function: the counts, the trainings in flight (read
// from the workers' states) and the ETA (from an etaModel fed with every
// finished row).
type progressShow struct {
	prog     Progress
	start    time.Time
	model    *etaModel
	states   []workerState
	progress func(Progress) // nil: nothing is shown
}

// newProgressShow starts the display of a sweep over plan whose
// experiments left are todo, with finished the rows already in the file.
func newProgressShow(plan Plan, finished []Row, todo []Experiment, states []workerState, progress func(Progress)) *progressShow {
	prog := Progress{Total: len(plan.Experiments), Skipped: len(plan.Experiments) - len(todo), Workers: len(states)}
	prog.Done = prog.Skipped
	return &progressShow{prog: prog, start: time.Now(), model: newEtaModel(finished, todo), states: states, progress: progress}
}

// report hands the progress function the state of the sweep now, as event ev.
func (s *progressShow) report(ev progressEvent) {
	if s.progress == nil {
		return
	}
	now := time.Now()
	s.prog.Event, s.prog.Elapsed = ev, now.Sub(s.start)
	flights := inFlight(s.states)
	s.prog.InFlight, s.prog.InFlightSteps = len(flights), 0
	for i := range s.states {
		if s.states[i].current.Load() != nil {
			s.prog.InFlightSteps += s.states[i].steps.Load()
		}
	}
	s.prog.ETA = s.model.ETA(flights, len(s.states), now)
	s.progress(s.prog)
}

// finished counts row, just written, and reports it.
func (s *progressShow) finished(row Row, target float64) {
	s.model.finish(row)
	s.prog.Done++
	if row.succeeded(target) {
		s.prog.Successes++
	}
	s.prog.Last = &row
	s.report(progressRow)
}

// workerState is what a worker shows of the experiment it is training,
// for the progress display: the experiment (nil when idle) and its steps
// so far.
type workerState struct {
	current atomic.Pointer[flight]
	steps   atomic.Int64
}

// inFlight returns the experiments the workers are training.
func inFlight(states []workerState) []flight {
	var fs []flight
	for i := range states {
		if f := states[i].current.Load(); f != nil {
			fs = append(fs, *f)
		}
	}
	return fs
}

// job is what a worker runs, one experiment after another: one experiment;
// or, under the replay's lr-carry, a chain up to its last experiment to run
// (carryJobs, replay.go), whose experiments already in the results file
// (done) pass their rates on without running again.
type job struct {
	experiments []Experiment
	done        map[string]Row // by Experiment.Key
}

// runJob runs j's experiments in order with run, each given the rate
// carried past the ones before it (which only lr-carry uses), and passes
// each row to emit. It stops at the first experiment that run reports
// unfinished (ctx was cancelled).
func runJob(j job, run func(e Experiment, carry carriedLR) (Row, bool), emit func(Row)) {
	var carry carriedLR
	for _, e := range j.experiments {
		if r, ok := j.done[e.Key()]; ok {
			carry = carry.after(r)
			continue
		}
		row, ok := run(e, carry)
		if !ok {
			return
		}
		emit(row)
		carry = carry.after(row)
	}
}

// startWorkers starts one goroutine per element of states that run the
// jobs under p, in their order, each showing what it trains in its state;
// it returns the channel their rows arrive on, in the order they finish.
// Once ctx is cancelled no job starts and the experiments in flight give
// no row; the channel is closed when every worker has stopped.
func startWorkers(ctx context.Context, p Protocol, jobs []job, states []workerState) <-chan Row {
	feed := make(chan job)
	rows := make(chan Row)
	var wg sync.WaitGroup
	for w := range states {
		st := &states[w]
		wctx := withStepCounter(ctx, &st.steps)
		run := func(e Experiment, carry carriedLR) (Row, bool) {
			st.steps.Store(0)
			st.current.Store(&flight{cell: e.cell(), started: time.Now()})
			defer st.current.Store(nil)
			return runExperiment(wctx, p, e, carry)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range feed {
				runJob(j, run, func(r Row) { rows <- r })
			}
		}()
	}
	go func() {
	loop:
		for _, j := range jobs {
			select {
			case feed <- j:
			case <-ctx.Done():
				break loop
			}
		}
		close(feed)
		wg.Wait()
		close(rows)
	}()
	return rows
}

// runExperiment trains e under protocol p (under lr-carry, trying carry's
// rate first) and returns its results row. A panic inside the training is
// recovered and recorded in the row's error column, so a failure is kept,
// never dropped; so is an experiment the replay's nan-drop ends. ok is
// false only when ctx was cancelled before the experiment finished.
func runExperiment(ctx context.Context, p Protocol, e Experiment, carry carriedLR) (row Row, ok bool) {
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
	o, err := trainExperiment(ctx, p, e, carry)
	if err != nil {
		row.Error = err.Error()
		return row, true
	}
	if ctx.Err() != nil {
		return row, false
	}
	if o.Dropped {
		row.Error = nanDropError
		return row, true
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
