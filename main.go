// Reasonops reproduces, in plain Go, the 2018 study "Incorporating
// element-wise multiplication can out-perform dense layers in neural
// networks": small networks (dense, residual, and element-wise multiply
// units) trained on arithmetic and logic tasks over four kinds of input,
// each with a learning-rate search, to see which can learn which operation.
//
// Run the whole study, on all cores, resumable, with
//
//	go run .
//
// and the tests with go test ./... ; go run . -h lists the flags.
//
// How to read the code, bottom up (each file opens with what it does):
//
//	tensor.go            float32 matrices, the three matrix products, element-wise kernels, the random generator
//	tensor_simd_amd64.go the same kernels with simd/archsimd (GOEXPERIMENT=simd on amd64 only),
//	simd_api_go1*.go     with small shims for the simd API of each Go release
//	autodiff.go          the tape: ops with their forward and backward, Backward walking the tape in reverse
//	layers.go            the dense layer, its initialisers, the residual rule, the multiply units, the 27 networks
//	adam.go              the Adam optimiser
//	datasets.go          the four datasets and their disjoint training, validation and test splits
//	tasks.go             the twelve tasks' labels and the excluded (task, dataset) pairs
//	grid.go              the grid of tasks x datasets x networks: lookups by name, an experiment and its place
//	train.go             how one experiment trains: the model, a training's steps and early stopping,
//	                     the learning-rate grid and the long run
//	results.go           the results file: the protocol string, the columns, resume, the run log, merge
//	sweep.go             the plan of experiments, shards, the worker pool
//	report.go            the report from the results file alone: the results loaded and checked,
//	report_claims.go     the counts and the article's claims judged,
//	stats.go             the paired statistics the verdicts rest on (sign and McNemar tests, Holm, bootstrap),
//	report_baselines.go  the trivial baselines,
//	report_markdown.go   report.md,
//	report_svg.go        and its SVG charts
//	main.go              this file: flags, sub-commands, progress output
//
// What the code does without, on purpose: no dependencies beyond Go's
// standard library (go.mod has no require line), no cgo, no unsafe, no
// assembly; one level of goroutines, across trainings, never inside one;
// no global knobs. It needs Go 1.26 or later.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

// main runs the command line with the process's arguments and exits with
// run's status; Ctrl-C and SIGTERM cancel the run's context.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1   // the run itself failed (a write error, say)
	exitUsage       = 2   // bad input on the command line
	exitInterrupted = 130 // stopped by Ctrl-C or SIGTERM; the same command resumes
)

// usageText is printed by -h.
const usageText = `reasonops: which small networks can learn which arithmetic and logic operations.

Usage:
  go run . [flags]                  run the study (every selected experiment), resumable
  go run . list [flags]             print what the flags select, and how many experiments
  go run . report [-out DIR]        write DIR/report.md and its SVG pictures from DIR/results.csv
                                    (a study writes it when it ends)
  go run . merge -out DIR FILE...   merge results files (shards) into DIR/results.csv,
                                    and list the experiments the flags select that are missing
  go run . estimate [-every K]      run every K-th selected experiment (default 20) and project
                                    the wall time of all of them

Flags:
  -tasks LIST       comma list of tasks (default all 12)
  -datasets LIST    comma list of datasets (default all 4)
  -networks LIST    comma list of networks (default all 27)
  -all              also run the (task, dataset) pairs the analysis excludes
  -seed N           first seed (default 1)
  -seeds N          seeds per experiment: N, N+1, ... (default 1)
  -quick            short protocol (100-step trials, 1,000-step long run, 1,000 held-out records)
  -grid-steps N     steps of each learning-rate trial (default 1000; 100 with -quick)
  -long-steps N     steps of the long run, 0 for none (default 30000; 1000 with -quick)
  -workers N        trainings in parallel (default: the number of CPUs)
  -out DIR          folder of the results (default results); results go to DIR/results.csv
  -shard I/N        run only shard I of N (0 <= I < N), into DIR/results-shard-I-of-N.csv;
                    merge the shards with: go run . merge -out DIR FILE...
  -cpuprofile FILE  write a CPU profile of the run to FILE (read it with go tool pprof)

Examples:
  go run .                                         the full study, as PROTOCOL.md states it
  go run . -quick -out results-quick               a first look in minutes
  go run . -tasks dot,reduce_sum -networks multiply,multiply_simple
  go run . -datasets many_hot -tasks logical_xor -seeds 5
  go run . list -tasks concat                      how many experiments that is
  go run . -shard 0/4 -out shards                  the first of four shards (e.g. one per machine)
  go run . merge -out results shards/results-shard-*-of-4.csv

Interrupt with Ctrl-C at any time; the same command continues where it stopped.
`

// commands are the sub-commands; with none, the command line runs the study.
var commands = []string{"list", "report", "merge", "estimate"}

// options is the parsed command line.
type options struct {
	command   string // "" (the study) or one of commands
	sel       Selection
	protocol  Protocol
	workers   int
	outDir    string
	profile   string   // -cpuprofile: write a CPU profile of the study here
	files     []string // merge: the results files to merge
	every     int      // estimate: run every this-many-th experiment
	outSet    bool     // -out was given
	argsShown string   // the command as typed, for messages
	args      []string // the arguments as given
}

// usageError is a mistake on the command line: one line, exit status 2.
type usageError struct{ msg string }

// Error returns the one-line message.
func (e usageError) Error() string { return e.msg }

// run is the whole program behind main, with its context, arguments and
// outputs passed in so that tests can call it. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitUsage
	}
	plan, err := newPlan(opts.protocol, opts.sel)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitUsage
	}
	switch opts.command {
	case "report":
		return runReport(opts.outDir, stderr)
	case "list":
		printList(stdout, opts, plan)
		return exitOK
	case "merge":
		return runMerge(opts, stderr)
	}
	if opts.profile != "" {
		f, err := os.Create(opts.profile)
		if err != nil {
			fmt.Fprintf(stderr, "reasonops: -cpuprofile: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "reasonops: -cpuprofile: %v\n", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	if opts.command == "estimate" {
		return runEstimate(ctx, opts, plan, stdout, stderr)
	}
	return runStudy(ctx, opts, plan, stderr)
}

// parseArgs parses the flags and an optional sub-command, which may come
// before or after the flags, and checks them; an error is a usageError (or
// flag.ErrHelp for -h).
func parseArgs(args []string) (options, error) {
	o := options{args: args}
	var f flagValues
	fs := newFlagSet(&o, &f)
	if err := parseCommand(fs, args, &o); err != nil {
		return o, err
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if o.command == "merge" {
		if len(o.files) == 0 {
			return o, usageError{"merge needs the results files to merge: go run . merge -out DIR FILE..."}
		}
		if f.shard != "" {
			return o, usageError{"-shard does not apply to merge; give merge every shard's file"}
		}
	}
	var err error
	if o.sel, err = f.selection(); err != nil {
		return o, err
	}
	if o.command == "merge" && !given["seed"] && !given["seeds"] {
		o.sel.Seeds = 0 // merge: the seeds the files hold
	}
	if o.workers < 1 {
		return o, usageError{fmt.Sprintf("-workers must be at least 1, got %d", o.workers)}
	}
	if o.outDir == "" {
		return o, usageError{"-out must name a folder"}
	}
	if o.protocol, err = f.protocol(); err != nil {
		return o, err
	}
	if o.every < 1 {
		return o, usageError{fmt.Sprintf("-every must be at least 1, got %d", o.every)}
	}
	o.outSet = given["out"]
	o.argsShown = strings.TrimSpace("go run . " + strings.Join(args, " "))
	if _, exp, ok := strings.Cut(runtime.Version(), "X:"); ok { // built with GOEXPERIMENT, e.g. the SIMD build
		o.argsShown = "GOEXPERIMENT=" + exp + " " + o.argsShown
	}
	return o, nil
}

// flagValues are the flags as given, before selection and protocol check
// them into options.
type flagValues struct {
	tasks, datasets, networks string // comma lists
	all, quick                bool
	seed                      uint64
	seeds                     int
	gridSteps, longSteps      int // -1 when not given
	shard                     string
}

// newFlagSet defines the flags, with their defaults, to be parsed into o
// and f.
func newFlagSet(o *options, f *flagValues) *flag.FlagSet {
	fs := flag.NewFlagSet("reasonops", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&f.tasks, "tasks", "", "")
	fs.StringVar(&f.datasets, "datasets", "", "")
	fs.StringVar(&f.networks, "networks", "", "")
	fs.BoolVar(&f.all, "all", false, "")
	fs.Uint64Var(&f.seed, "seed", 1, "")
	fs.IntVar(&f.seeds, "seeds", 1, "")
	fs.BoolVar(&f.quick, "quick", false, "")
	fs.IntVar(&f.gridSteps, "grid-steps", -1, "")
	fs.IntVar(&f.longSteps, "long-steps", -1, "")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "")
	fs.StringVar(&o.outDir, "out", "results", "")
	fs.StringVar(&o.profile, "cpuprofile", "", "")
	fs.StringVar(&f.shard, "shard", "", "")
	fs.IntVar(&o.every, "every", 20, "")
	return fs
}

// parseCommand parses args with fs: flags and at most one sub-command, in
// any order, into o.command; after merge, every other argument is a file to
// merge (o.files).
func parseCommand(fs *flag.FlagSet, args []string, o *options) error {
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error() + " (go run . -h lists the flags)"}
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return nil
		}
		switch {
		case o.command == "merge": // merge's other arguments are the files
			o.files = append(o.files, rest[0])
		case o.command != "":
			return usageError{fmt.Sprintf("unexpected argument %q after %q", rest[0], o.command)}
		case slices.Contains(commands, rest[0]):
			o.command = rest[0]
		default:
			return usageError{fmt.Sprintf("unknown command %q (valid: %s; or none to run the study)", rest[0], strings.Join(commands, ", "))}
		}
		rest = rest[1:]
	}
}

// selection checks the flags that select experiments: the lists of names
// (checked against the registries by newPlan), -all, the seeds and the shard.
func (f flagValues) selection() (Selection, error) {
	sel := Selection{All: f.all, Seed: f.seed, Seeds: f.seeds}
	var err error
	if sel.Tasks, err = parseList("-tasks", f.tasks); err != nil {
		return sel, err
	}
	if sel.Datasets, err = parseList("-datasets", f.datasets); err != nil {
		return sel, err
	}
	if sel.Networks, err = parseList("-networks", f.networks); err != nil {
		return sel, err
	}
	if f.seeds < 1 {
		return sel, usageError{fmt.Sprintf("-seeds must be at least 1, got %d", f.seeds)}
	}
	if f.shard != "" {
		if sel.Shard, err = parseShard(f.shard); err != nil {
			return sel, usageError{err.Error()}
		}
	}
	return sel, nil
}

// protocol returns the protocol the flags ask for: the paper's, or the
// quick one with -quick, with -grid-steps and -long-steps if given.
func (f flagValues) protocol() (Protocol, error) {
	p := paperProtocol()
	if f.quick {
		p = quickProtocol()
	}
	if f.gridSteps != -1 {
		if f.gridSteps < 1 {
			return p, usageError{fmt.Sprintf("-grid-steps must be at least 1, got %d", f.gridSteps)}
		}
		p.GridSteps = f.gridSteps
	}
	if f.longSteps != -1 {
		if f.longSteps < 0 {
			return p, usageError{fmt.Sprintf("-long-steps must be 0 (no long run) or more, got %d", f.longSteps)}
		}
		p.LongSteps = f.longSteps
	}
	return p, nil
}

// parseList splits a comma list; empty means "all" (nil). An empty item, as
// in "a,,b" or "a,", is an error.
func parseList(flagName, s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	items := strings.Split(s, ",")
	for i, it := range items {
		items[i] = strings.TrimSpace(it)
		if items[i] == "" {
			return nil, usageError{fmt.Sprintf("%s %q: malformed list (an empty name); write names separated by commas, e.g. %s", flagName, s, listExample(flagName))}
		}
	}
	return items, nil
}

// listExample gives a valid example value for a list flag.
func listExample(flagName string) string {
	switch flagName {
	case "-tasks":
		return "dot,reduce_sum"
	case "-datasets":
		return "one_hot,many_hot"
	}
	return "multiply,dense-2-relu"
}

// printList writes what the selection covers and ends with "N experiments".
func printList(w io.Writer, o options, plan Plan) {
	seen := func(get func(e Experiment) string) []string {
		var out []string
		have := map[string]bool{}
		for _, e := range plan.Experiments {
			if v := get(e); !have[v] {
				have[v] = true
				out = append(out, v)
			}
		}
		return out
	}
	ts := seen(func(e Experiment) string { return e.Task.Name })
	ds := seen(func(e Experiment) string { return datasetNames[e.Dataset] })
	ns := seen(func(e Experiment) string { return e.Network.Name })
	fmt.Fprintf(w, "tasks (%d): %s\n", len(ts), strings.Join(ts, ", "))
	fmt.Fprintf(w, "datasets (%d): %s\n", len(ds), strings.Join(ds, ", "))
	fmt.Fprintf(w, "networks (%d): %s\n", len(ns), strings.Join(ns, ", "))
	fmt.Fprintf(w, "seeds: %d from %d\n", max(o.sel.Seeds, 1), o.sel.Seed)
	if o.sel.Shard.N > 0 {
		fmt.Fprintf(w, "shard: %s (experiments whose identity hash is %d modulo %d)\n", o.sel.Shard, o.sel.Shard.I, o.sel.Shard.N)
	}
	fmt.Fprintf(w, "protocol: %s\n", plan.Protocol)
	if !o.sel.All {
		fmt.Fprintln(w, "excluded (task, dataset) pairs are left out; -all includes them")
	}
	fmt.Fprintf(w, "%d experiments\n", len(plan.Experiments))
}

// runReport renders DIR/report.md from DIR/results.csv.
func runReport(dir string, stderr io.Writer) int {
	path, err := writeReport(dir)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "reasonops: report written to %s\n", path)
	return exitOK
}

// runMerge merges the files named on the command line into DIR/results.csv
// and says what it did, and which selected experiments are still missing.
func runMerge(o options, stderr io.Writer) int {
	out := resultsPath(o.outDir, Shard{})
	sum, err := mergeResults(out, o.files)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		if isSetupError(err) {
			return exitUsage
		}
		return exitFailure
	}
	missing, err := missingExperiments(sum, o.sel)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	for _, f := range sum.Torn {
		fmt.Fprintf(stderr, "reasonops: ignored a torn last line in %s\n", f)
	}
	fmt.Fprintf(stderr, "reasonops: merged %d rows into %s (%d exact duplicates dropped)\n", sum.Rows, out, sum.Duplicates)
	if n := len(missing); n > 0 {
		var keys []string
		for _, e := range missing[:min(n, 5)] {
			keys = append(keys, e.Key())
		}
		more := ""
		if n > 5 {
			more = ", ..."
		}
		fmt.Fprintf(stderr, "reasonops: %d selected experiments are missing: %s%s\n", n, strings.Join(keys, ", "), more)
	}
	return exitOK
}

// runEstimate runs a fixed sample of the plan, every o.every-th experiment
// in plan order, and projects the whole plan's wall time from it: the
// sample's summed experiment times, scaled by plan size over sample size,
// divided by the workers. The sample's results go to -out if given, else to
// a temporary folder that is removed afterwards.
func runEstimate(ctx context.Context, o options, plan Plan, stdout, stderr io.Writer) int {
	var sample Plan
	sample.Protocol = plan.Protocol
	for i := o.every / 2; i < len(plan.Experiments); i += o.every {
		sample.Experiments = append(sample.Experiments, plan.Experiments[i])
	}
	if len(sample.Experiments) == 0 {
		fmt.Fprintf(stderr, "reasonops: -every %d leaves no experiment of %d to sample\n", o.every, len(plan.Experiments))
		return exitUsage
	}
	dir := o.outDir
	if !o.outSet {
		tmp, err := os.MkdirTemp("", "reasonops-estimate-")
		if err != nil {
			fmt.Fprintf(stderr, "reasonops: %v\n", err)
			return exitFailure
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	path := resultsPath(dir, Shard{})
	fmt.Fprintf(stderr, "reasonops: estimate: running %d of %d experiments (every %d-th), %d workers, kernels: %s\n",
		len(sample.Experiments), len(plan.Experiments), o.every, o.workers, kernelName)
	start := time.Now()
	err := sweep(ctx, sample, path, o.workers, func(p Progress) {
		if p.Last != nil {
			fmt.Fprintln(stderr, progressLine(p))
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		if errors.Is(err, context.Canceled) {
			return exitInterrupted
		}
		return exitFailure
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	rows, _, err := readResults(data)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	printProjection(stdout, rows, len(plan.Experiments), o.workers, time.Since(start))
	return exitOK
}

// printProjection writes what the sample's rows took (wall, the time it
// took) and the wall time projected for planSize experiments on workers.
func printProjection(w io.Writer, rows []Row, planSize, workers int, wall time.Duration) {
	var busy float64
	var steps int
	for _, r := range rows {
		busy += r.WallSeconds
		steps += r.TotalSteps
	}
	scale := float64(planSize) / float64(len(rows))
	projected := time.Duration(busy * scale / float64(workers) * float64(time.Second))
	fmt.Fprintf(w, "sample: %d experiments, %s wall, %s of experiment time, %d training steps (%.0f µs per step and worker)\n",
		len(rows), formatDuration(wall), formatDuration(time.Duration(busy*float64(time.Second))), steps, busy/float64(steps)*1e6)
	fmt.Fprintf(w, "projected: %d experiments on %d workers: about %s (kernels: %s)\n",
		planSize, workers, formatDuration(projected), kernelName)
}

// runStudy runs the plan's sweep with progress on stderr.
func runStudy(ctx context.Context, o options, plan Plan, stderr io.Writer) int {
	path := resultsPath(o.outDir, o.sel.Shard)
	terminal := isTerminal(stderr)
	started := time.Now()
	var last Progress
	err := sweep(ctx, plan, path, o.workers, func(p Progress) {
		last = p
		showProgress(stderr, o, path, terminal, p)
	})
	if terminal && last.Done > last.Skipped {
		fmt.Fprintln(stderr)
	}
	// Log this invocation beside the results file, if it added to it (one
	// that found everything done, or was stopped before any experiment
	// finished, computed nothing the report should count).
	if !isSetupError(err) && last.Done > last.Skipped {
		inv := Invocation{
			Started: started, Finished: time.Now(), Command: o.argsShown, GoVersion: runtime.Version(),
			Kernel: kernelName, CPU: cpuModel(), CPUs: runtime.NumCPU(), Workers: o.workers,
			Selected: len(plan.Experiments), Ran: last.Done - last.Skipped, Interrupted: errors.Is(err, context.Canceled),
		}
		inv.WallSeconds = inv.Finished.Sub(inv.Started).Seconds()
		if lerr := appendInvocation(o.outDir, inv); lerr != nil {
			fmt.Fprintf(stderr, "reasonops: cannot write the run log: %v\n", lerr)
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "reasonops: interrupted; %d of %d experiments are saved in %s; run the same command to continue\n",
			last.Done, last.Total, path)
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || isSetupError(err) {
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "reasonops: done: %d experiments in %s (%d run now, %d already there), %d successes this run, %s\n",
		last.Total, path, last.Done-last.Skipped, last.Skipped, last.Successes, formatDuration(last.Elapsed))
	if o.sel.Shard.N > 0 {
		fmt.Fprintf(stderr, "reasonops: this is shard %s; merge the shards (go run . merge -out DIR FILE...), then go run . report -out DIR\n", o.sel.Shard)
		return exitOK
	}
	if code := runReport(o.outDir, stderr); code != exitOK {
		return exitFailure
	}
	return exitOK
}

// showProgress writes a study's progress p on stderr: for the first report
// (the results file at path is open) what the study will do and, where it
// applies, the SIMD hint; after each experiment one progress line, updated
// in place on a terminal.
func showProgress(stderr io.Writer, o options, path string, terminal bool, p Progress) {
	if p.Last == nil {
		if p.DroppedTorn > 0 {
			fmt.Fprintf(stderr, "reasonops: dropped a torn last line (%d bytes) from %s, left by an interrupted write\n", p.DroppedTorn, path)
		}
		fmt.Fprintf(stderr, "reasonops: %d experiments (%d already in %s), %d workers, kernels: %s\n", p.Total, p.Skipped, path, o.workers, kernelName)
		if hint := simdHint(o.args, runtime.Version(), runtime.GOARCH, kernelName, cpuFlags()); hint != "" && p.Skipped < p.Total {
			fmt.Fprintln(stderr, hint)
		}
		return
	}
	if terminal {
		fmt.Fprintf(stderr, "\r\033[K%s", progressLine(p))
	} else {
		fmt.Fprintln(stderr, progressLine(p))
	}
}

// simdSpeedup is how much faster the SIMD build ran the whole study than the
// default build on the machine the README's Performance section names
// (BenchmarkTrainStep and go run . estimate in both builds).
const simdSpeedup = "about 7x"

// simdHint returns the line a study in the default build prints on a CPU
// where the SIMD kernels would run (amd64 with AVX-512, or AVX2 and FMA):
// that the study would be faster, and the command that makes it so, with
// the user's own arguments. It returns "" where there is nothing to gain:
// the SIMD kernels already run, the CPU lacks them, or the build is a
// GOEXPERIMENT=simd one on a CPU they cannot use.
func simdHint(args []string, goVersion, goarch, kernel string, flags map[string]bool) string {
	if kernel != "plain Go" || goarch != "amd64" || strings.Contains(goVersion, "simd") {
		return ""
	}
	var have string
	switch {
	case flags["avx512f"]:
		have = "AVX-512"
	case flags["avx2"] && flags["fma"]:
		have = "AVX2 and FMA"
	default:
		return ""
	}
	cmd := "GOEXPERIMENT=simd go run ."
	for _, a := range args {
		cmd += " " + shellQuote(a)
	}
	return fmt.Sprintf("reasonops: this is the default build (plain Go kernels); this CPU has %s, so the SIMD build runs the study %s faster: %s",
		have, simdSpeedup, cmd)
}

// shellQuote returns s as one word a POSIX shell reads back as s.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./,=:+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cpuInfo returns the value of the first line of /proc/cpuinfo whose field
// is name (e.g. "model name", "flags"); false where there is no such file
// or field.
func cpuInfo(name string) (string, bool) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// cpuFlags returns the CPU's feature flags from /proc/cpuinfo (e.g. "avx2",
// "fma", "avx512f"); none where there is no such file.
func cpuFlags() map[string]bool {
	flags := map[string]bool{}
	v, _ := cpuInfo("flags")
	for _, f := range strings.Fields(v) {
		flags[f] = true
	}
	return flags
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH where
// there is no such file.
func cpuModel() string {
	if v, ok := cpuInfo("model name"); ok {
		return v
	}
	return runtime.GOARCH
}

// isSetupError reports whether err came from opening the results file
// (an unwritable folder, a file of another protocol): the user's to fix.
func isSetupError(err error) bool {
	var se setupError
	return errors.As(err, &se)
}

// progressLine formats one line of progress: experiments done of total,
// successes, elapsed, ETA, and the experiment just finished.
func progressLine(p Progress) string {
	s := fmt.Sprintf("[%d/%d] %d successes, %s elapsed, ETA %s", p.Done, p.Total, p.Successes,
		formatDuration(p.Elapsed), formatDuration(p.ETA()))
	if r := p.Last; r != nil {
		if r.Error != "" {
			s += fmt.Sprintf(" | %s %s %s: error", r.Task, r.Dataset, r.Network)
		} else {
			s += fmt.Sprintf(" | %s %s %s: %s (lr %s, %d steps)", r.Task, r.Dataset, r.Network, r.AccuracyPct, formatFloat(r.LR), r.GlobalStep)
		}
	}
	return s
}

// isTerminal reports whether w is a terminal (a character device), where
// progress updates one line in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
