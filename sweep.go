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
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
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
// dataset and network in that order, skipping excluded (task, dataset) pairs
// unless sel.All, and those outside sel.Shard. Unknown names are errors
// that list the valid ones.
func newPlan(p Protocol, sel Selection) (Plan, error) {
	ts, err := pick(tasks, sel.Tasks, lookupTask)
	if err != nil {
		return Plan{}, err
	}
	ds, err := pick([]datasetKind{oneHot, manyHot, random, randomPos}, sel.Datasets, parseDataset)
	if err != nil {
		return Plan{}, err
	}
	ns, err := pick(networks, sel.Networks, findNetwork)
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
// The worker pool.

// Progress is a snapshot of a sweep, passed to the progress callback after
// each experiment finishes.
type Progress struct {
	Done, Total int           // experiments finished (skipped ones included) and selected
	Skipped     int           // found already in the results file
	Successes   int           // finished by this invocation and succeeded (Row.succeeded)
	Elapsed     time.Duration // since this invocation started
	Last        *Row          // the experiment just finished (nil for the first report)
	DroppedTorn int           // bytes of a torn last line dropped from the results file on opening
}

// ETA estimates the time left from this invocation's pace so far.
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
	var writeErr error
	for row := range startWorkers(ctx, plan.Protocol, todo, workers) {
		if writeErr != nil {
			continue // keep draining so the workers can finish
		}
		if writeErr = rf.Append(row); writeErr != nil {
			continue
		}
		prog.Done++
		if row.succeeded(plan.Protocol.Target) {
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

// startWorkers starts workers goroutines (at least one) that run the
// experiments todo under p, and returns the channel their rows arrive on,
// in the order they finish. Once ctx is cancelled no experiment starts and
// those in flight give no row; the channel is closed when every worker has
// stopped.
func startWorkers(ctx context.Context, p Protocol, todo []Experiment, workers int) <-chan Row {
	jobs := make(chan Experiment)
	rows := make(chan Row)
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				if row, ok := runExperiment(ctx, p, e); ok {
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
	return rows
}

// runExperiment trains e under protocol p and returns its results row. A
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
	o, err := trainExperiment(ctx, p, e)
	if err != nil {
		row.Error = err.Error()
		return row, true
	}
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
