// Reasonops reproduces, in plain Go, the 2018 study "Incorporating
// element-wise multiplication can out-perform dense layers in neural
// networks": small networks (dense, residual, and element-wise multiply
// units) trained on arithmetic and logic tasks over four kinds of input,
// each with a learning-rate search, to see which can learn which operation.
//
// Run the whole study, on all cores, resumable, with
//
//	go run . -out mine
//
// and the tests with go test ./... ; go run . -h lists the flags.
//
// How to read the code, bottom up (each file opens with what it does):
//
//	tensor.go            float32 matrices, the three matrix products, element-wise kernels, the random generator
//	tensor_simd_amd64.go the same kernels with simd/archsimd (GOEXPERIMENT=simd on amd64 only),
//	simd_api_go1*.go     with small shims for the simd API of each Go release
//	autodiff.go          the tape: ops with their forward and backward, Backward walking the tape in reverse
//	layers.go            the dense layer, its initialisers, the residual rule, the multiply units, the paper's networks
//	adam.go              the Adam optimiser
//	datasets.go          the four datasets, their disjoint training, validation and test splits, the extrapolation sets
//	units.go             the arithmetic units after the article (NAC, NALU, NAU, NMU, ...): networks beyond the paper's
//	tasks.go             the tables of tasks: label, width and excluded datasets of each (the article's twelve, others)
//	grid.go              the registry of networks and tasks, the paper grid as a named subset of it,
//	                     lookups by name, an experiment and its place
//	train.go             how one experiment trains: the model, a training's steps and early stopping,
//	                     the learning-rate grid and the long run
//	results.go           the results file: the protocol string, the columns, its lock, resume, the run log, merge
//	os_unix.go           the file lock (flock) and the terminal's resize signal; os_other.go stands in elsewhere
//	sweep.go             the plan of experiments, shards, the order they start in and their ETA, the worker pool
//	replay.go            the replay of the original 2018 code's behaviours, each a switch (-protocol 2018, -replay)
//	report.go            the report from the results file alone: the results loaded and checked,
//	report_claims.go     the counts and the article's claims judged,
//	stats.go             the paired statistics the verdicts rest on (sign and McNemar tests, Holm, bootstrap),
//	report_baselines.go  the trivial baselines,
//	report_paired.go     the paired comparisons of networks and rates with their intervals,
//	report_markdown.go   report.md,
//	report_svg.go        and its SVG charts;
//	report_units.go      the section on the units beyond the article, and extrapolation;
//	report_replay.go     the section on what the original's bugs did (the 2018 replay)
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
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// stopSignal is a signal that stops a study cleanly, with the exit status
// it gives, 128 plus its number, as shells report a process it killed, and
// its usual name. stopSignals (os_unix.go, os_other.go) lists them: Ctrl-C
// (SIGINT), SIGTERM (what Slurm, Kubernetes and kill send) and, on Unix,
// SIGHUP (a closed terminal or ssh session).
type stopSignal struct {
	sig    os.Signal
	status int
	name   string
}

// stoppedBy is the cause of a context cancelled by a signal.
type stoppedBy struct{ stopSignal }

// Error names the signal.
func (s stoppedBy) Error() string { return "stopped by " + s.name }

// main runs the command line with the process's arguments and exits with
// run's status. The first of stopSignals cancels the run's context, which
// ends the study cleanly (see stopStatus); a second one ends the process at
// once, as it would without reasonops' handling.
func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	for _, s := range stopSignals {
		signal.Notify(sigs, s.sig)
	}
	go func() {
		sig := <-sigs
		signal.Stop(sigs)
		// The terminal or the pipe on stderr may be gone (a closed ssh
		// session): a write to it must not kill the process before it has
		// logged the run.
		if len(brokenPipeSignals) > 0 {
			signal.Ignore(brokenPipeSignals...)
		}
		for _, s := range stopSignals {
			if s.sig == sig {
				cancel(stoppedBy{s})
			}
		}
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses. A study stopped by a signal exits with 128 plus the
// signal's number, as shells report a process the signal killed: SIGHUP
// 129, SIGINT (Ctrl-C) 130, SIGTERM 143 (see stopSignal).
const (
	exitOK          = 0
	exitFailure     = 1   // the run itself failed: a write error (a full disk, say), an unreadable input
	exitUsage       = 2   // bad input on the command line, or a results file or folder it cannot use; nothing was changed
	exitInterrupted = 130 // stopped by Ctrl-C, or by a cancelled context without a signal; the same command resumes
)

// stopStatus returns the exit status of a study ctx's cancellation stopped,
// and the signal's name; 130 (as for Ctrl-C) and no name when no signal is
// known (a test's cancelled context).
func stopStatus(ctx context.Context) (int, string) {
	var sb stoppedBy
	if errors.As(context.Cause(ctx), &sb) {
		return sb.status, sb.name
	}
	return exitInterrupted, ""
}

// Bounds on the flags, refused beyond with exit status 2.
const (
	// maxSeeds bounds -seeds: the plan lists every experiment (about 100
	// bytes each), so 1,000 seeds of the whole -all grid (1,296,000
	// experiments) take some 130 MB, and a few hundred with the order they
	// start in, before anything runs. A study of 1,000
	// seeds is 891,000 experiments, about 35 days on 2 cores with the SIMD
	// build; more seeds run as several studies (-seed N -seeds K), each
	// into its own folder or shards, merged.
	maxSeeds = 1000
	// workersPerCPU bounds -workers: more trainings than CPUs run no faster,
	// and each holds its experiment's held-out data, labels and network (up
	// to about 25 MB, for concat on random with dense_residual-3-selu).
	workersPerCPU = 8
)

// maxWorkers is the largest -workers accepted on this machine.
func maxWorkers() int { return workersPerCPU * max(runtime.NumCPU(), runtime.GOMAXPROCS(0)) }

// usageText is printed by -h.
const usageText = `reasonops: which small networks can learn which arithmetic and logic operations.

Usage:
  go run . [flags]                  run the study (every selected experiment) into -out, resumable
  go run . list [flags]             print what the flags select, and how many experiments
  go run . report [-out DIR]        write DIR/report.md and its SVG pictures from DIR/results.csv
                                    (a study writes it when it ends)
  go run . merge -out DIR FILE...   merge results files (shards) into DIR/results.csv,
                                    and list the experiments the flags select that are missing
  go run . estimate [-every K]      run every K-th selected experiment (default 20) and project
                                    the wall time of all of them; with -out DIR the sample's rows
                                    are kept in DIR/results.csv (a study there skips them), else
                                    they go to a temporary folder that is removed

Flags:
  -tasks LIST       comma list of tasks (default the paper grid's 12)
  -datasets LIST    comma list of datasets (default all 4)
  -networks LIST    comma list of networks (default the paper grid's 27); the arithmetic
                    units beyond the paper (nac, nalu, inalu, nau, nmu, nau-nmu, realnpu,
                    glu, bilinear-glu) run only when named here
  -all              also run the (task, dataset) pairs the analysis excludes
  -seed N           first seed (default 1)
  -seeds N          seeds per experiment: N, N+1, ... (default 1, at most 1000)
  -quick            short protocol (100-step trials, 1,000-step long run, 1,000 held-out records)
  -protocol NAME    fixed (the default: PROTOCOL.md, the original's bugs fixed) or 2018 (the
                    original code's behaviour: every -replay switch on)
  -replay LIST      comma list of the original's behaviours to turn on over the fixed protocol
                    (2018 for all): residual-eval, random-pos, test-selection, train-stop,
                    overlap, one-hot-sum-128, lr-carry, nan-drop (see README.md); with
                    lr-carry each selected experiment brings the chain of experiments before it
  -sparsity         Madsen & Johansen's sparsity regulariser, with its ramp, for the units
                    that have one (nau, nmu, nau-nmu); no other network has one
  -grid-steps N     steps of each learning-rate trial (default 1000; 100 with -quick)
  -long-steps N     steps of the long run, 0 for none (default 30000; 1000 with -quick)
  -workers N        trainings in parallel (default: the number of CPUs; at most 8 per CPU)
  -out DIR          folder of the results (default results, which holds the committed study);
                    results go to DIR/results.csv
  -shard I/N        run only shard I of N (0 <= I < N), into DIR/results-shard-I-of-N.csv;
                    merge the shards with: go run . merge -out DIR FILE...
  -cpuprofile FILE  write a CPU profile of the run to FILE (read it with go tool pprof)

Examples (each writes into its own folder):
  go run . -out mine                               the full study, as PROTOCOL.md states it
                                                   (about 6 hours on 2 cores; 51 minutes with
                                                   GOEXPERIMENT=simd, see README.md)
  go run . -quick -out results-quick               a first look (about 30 minutes; 4 with SIMD)
  go run . -tasks dot,reduce_sum -networks multiply,multiply_simple -out dot-sum
  go run . -datasets many_hot -tasks logical_xor -seeds 5 -out xor5
  go run . -protocol 2018 -seeds 3 -out r2018      the study as the original code ran it
  go run . -replay residual-eval -networks dense_residual-2-linear -out skips
  go run . -quick -tasks elementwise_mul,reduce_sum -networks nmu,nau,multiply -out units
  go run . list -tasks concat                      how many experiments that is
  go run . report -out results-quick               re-render a study's report
  go run . -shard 0/4 -out shards                  the first of four shards (e.g. one per machine)
  go run . merge -out merged shards/results-shard-*-of-4.csv

Stop a study with Ctrl-C (or SIGTERM, or by closing its terminal) at any
time; the same command continues where it stopped. Only one process at a
time writes a results file: a second one is refused.

Exit status: 0 done; 1 the run failed (e.g. a full disk); 2 a mistake on the
command line, or a results file or folder it cannot use (nothing is changed);
129, 130, 143 stopped by SIGHUP, Ctrl-C (SIGINT), SIGTERM: run it again to
continue. Under go run the shell sees 1 for any of these; go prints the status.
`

// commands are the sub-commands; with none, the command line runs the study.
var commands = []string{"list", "report", "merge", "estimate"}

// options is the parsed command line.
type options struct {
	command     string // "" (the study) or one of commands
	sel         Selection
	protocol    Protocol
	protocolSet bool // -quick, -grid-steps, -long-steps, -protocol, -replay or -sparsity was given
	workers     int
	outDir      string
	profile     string   // -cpuprofile: write a CPU profile of the study here
	files       []string // merge: the results files to merge
	every       int      // estimate: run every this-many-th experiment
	outSet      bool     // -out was given
	shown       string   // the command as invoked, for messages and the run log (commandLine)
	args        []string // the arguments as given
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
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
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
	if o.command == "merge" && !f.given["seed"] && !f.given["seeds"] {
		o.sel.Seeds = 0 // merge: the seeds the files hold
	}
	if o.workers < 1 {
		return o, usageError{fmt.Sprintf("-workers must be at least 1, got %d", o.workers)}
	}
	if limit := maxWorkers(); o.workers > limit {
		return o, usageError{fmt.Sprintf("-workers %d: at most %d (%d per CPU): more trainings than CPUs run no faster, and each holds its own data",
			o.workers, limit, workersPerCPU)}
	}
	if o.outDir == "" {
		return o, usageError{"-out must name a folder"}
	}
	if o.protocol, err = f.protocol(); err != nil {
		return o, err
	}
	o.protocolSet = f.given["quick"] || f.given["grid-steps"] || f.given["long-steps"] || f.given["protocol"] || f.given["replay"] || f.given["sparsity"]
	if o.command == "estimate" && o.protocol.Replay.Has(replayLRCarry) {
		return o, usageError{"estimate samples experiments one by one, and under lr-carry an experiment needs every one before it in its chain: estimate without lr-carry (e.g. -replay with the other switches)"}
	}
	if o.every < 1 {
		return o, usageError{fmt.Sprintf("-every must be at least 1, got %d", o.every)}
	}
	o.outSet = f.given["out"]
	o.shown = commandLine(os.Args[0], args, runtime.Version())
	return o, nil
}

// commandLine returns the command as it was invoked, for messages and the
// run log: "go run ." (with the GOEXPERIMENT of the build in front) when
// arg0, the program's path, lies in a folder the go command builds in
// ($WORK/b001/exe/), else arg0 as typed (./reasonops, say); then the
// arguments, quoted for a POSIX shell.
func commandLine(arg0 string, args []string, goVersion string) string {
	cmd := arg0
	if dir := filepath.ToSlash(filepath.Dir(arg0)); strings.Contains(dir, "/go-build") && strings.HasSuffix(dir, "/exe") {
		cmd = "go run ."
		if _, exp, ok := strings.Cut(goVersion, "X:"); ok {
			cmd = "GOEXPERIMENT=" + exp + " " + cmd
		}
	}
	for _, a := range args {
		cmd += " " + shellQuote(a)
	}
	return cmd
}

// flagValues are the flags as given, before selection and protocol check
// them into options.
type flagValues struct {
	tasks, datasets, networks string // comma lists
	all, quick, sparsity      bool
	seed                      uint64
	seeds                     int
	gridSteps, longSteps      int // used only when given
	shard                     string
	protocolName, replay      string          // -protocol and -replay
	given                     map[string]bool // the flags given on the command line, by name
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
	fs.BoolVar(&f.sparsity, "sparsity", false, "")
	fs.IntVar(&f.gridSteps, "grid-steps", 0, "")
	fs.IntVar(&f.longSteps, "long-steps", 0, "")
	fs.StringVar(&f.protocolName, "protocol", "fixed", "")
	fs.StringVar(&f.replay, "replay", "", "")
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
	if sel.Tasks, err = parseList("-tasks", f.tasks, f.given["tasks"]); err != nil {
		return sel, err
	}
	if sel.Datasets, err = parseList("-datasets", f.datasets, f.given["datasets"]); err != nil {
		return sel, err
	}
	if sel.Networks, err = parseList("-networks", f.networks, f.given["networks"]); err != nil {
		return sel, err
	}
	if f.seeds < 1 {
		return sel, usageError{fmt.Sprintf("-seeds must be at least 1, got %d", f.seeds)}
	}
	if f.seeds > maxSeeds {
		return sel, usageError{fmt.Sprintf("-seeds %d: at most %d per study; run more as further studies (-seed %d -seeds %d, ...) into their own folders or shards, then merge them",
			f.seeds, maxSeeds, f.seed+maxSeeds, maxSeeds)}
	}
	if f.shard != "" {
		if sel.Shard, err = parseShard(f.shard); err != nil {
			return sel, usageError{err.Error()}
		}
	}
	return sel, nil
}

// protocol returns the protocol the flags ask for: the paper's, or the
// quick one with -quick, with -grid-steps and -long-steps if given, and
// the replay's switches of -protocol and -replay (replayFlags).
func (f flagValues) protocol() (Protocol, error) {
	p := paperProtocol()
	if f.quick {
		p = quickProtocol()
	}
	names, err := parseList("-replay", f.replay, f.given["replay"])
	if err != nil {
		return p, err
	}
	if p.Replay, err = replayFlags(f.protocolName, names); err != nil {
		return p, usageError{err.Error()}
	}
	p.Sparsity = f.sparsity
	if f.given["grid-steps"] {
		if f.gridSteps < 1 {
			return p, usageError{fmt.Sprintf("-grid-steps must be at least 1, got %d", f.gridSteps)}
		}
		p.GridSteps = f.gridSteps
	}
	if f.given["long-steps"] {
		if f.longSteps < 0 {
			return p, usageError{fmt.Sprintf("-long-steps must be 0 (no long run) or more, got %d", f.longSteps)}
		}
		p.LongSteps = f.longSteps
	}
	return p, nil
}

// parseList splits a comma list given as flagName; a flag not given means
// "all" (nil). A given but empty list (often an unset shell variable), an
// empty item, as in "a,,b" or "a,", and a name listed twice are errors.
func parseList(flagName, s string, given bool) ([]string, error) {
	if !given {
		return nil, nil
	}
	if strings.TrimSpace(s) == "" {
		return nil, usageError{fmt.Sprintf("%s is empty (an unset shell variable?); name at least one, e.g. %s, or leave the flag out for all", flagName, listExample(flagName))}
	}
	items := strings.Split(s, ",")
	for i, it := range items {
		items[i] = strings.TrimSpace(it)
		if items[i] == "" {
			return nil, usageError{fmt.Sprintf("%s %q: malformed list (an empty name); write names separated by commas, e.g. %s", flagName, s, listExample(flagName))}
		}
		if slices.Contains(items[:i], items[i]) {
			return nil, usageError{fmt.Sprintf("%s %q names %s twice; name each once", flagName, s, items[i])}
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
	case "-replay":
		return "residual-eval,train-stop"
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
	switch {
	case plan.Protocol.Replay.Has(replayLRCarry):
		fmt.Fprintln(w, "lr-carry: each selected experiment comes with every experiment before it in its chain, excluded pairs included")
	case !o.sel.All:
		fmt.Fprintln(w, "excluded (task, dataset) pairs are left out; -all includes them")
	}
	fmt.Fprintf(w, "%d experiments\n", len(plan.Experiments))
}

// runReport renders DIR/report.md from DIR/results.csv and says what it
// left out of the file. A file it cannot use exits 2; a failed write 1.
func runReport(dir string, stderr io.Writer) int {
	rep, err := makeReport(dir)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		var we reportWriteError
		if errors.As(err, &we) {
			return exitFailure
		}
		return exitUsage
	}
	if rep.torn > 0 {
		fmt.Fprintf(stderr, "reasonops: report: ignored the torn last line of %s (%d bytes, no complete row; a study into this folder moves it aside)\n", rep.results, rep.torn)
	}
	if rep.repeats > 0 {
		fmt.Fprintf(stderr, "reasonops: report: %d rows of %s repeat an experiment's result; each is counted once\n", rep.repeats, rep.results)
	}
	fmt.Fprintf(stderr, "reasonops: report written to %s\n", rep.path)
	return exitOK
}

// runMerge merges the files named on the command line into DIR/results.csv
// and says what it did, and which selected experiments are still missing.
func runMerge(o options, stderr io.Writer) int {
	out := resultsPath(o.outDir, Shard{})
	protocol := ""
	if o.protocolSet {
		protocol = o.protocol.String()
	}
	sum, err := mergeResults(out, o.files, protocol, processLine(o.shown, time.Now()))
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
	if sum.TornTo != "" {
		fmt.Fprintf(stderr, "reasonops: moved the torn last line of %s to %s\n", out, sum.TornTo)
	}
	for _, f := range sum.Writing {
		fmt.Fprintf(stderr, "reasonops: %s is still being written; merged the rows it held so far\n", f)
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
// divided by the workers. The sample's rows go to DIR/results.csv with
// -out DIR (kept; a study there skips them, and rows already there count
// with their recorded times), else to a temporary folder, removed after.
func runEstimate(ctx context.Context, o options, plan Plan, stdout, stderr io.Writer) int {
	sample := Plan{Protocol: plan.Protocol}
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
	where := path + ", kept (a study with the same settings into " + dir + " skips them)"
	if !o.outSet {
		where = "a temporary folder, removed at the end (-out DIR keeps them in DIR/results.csv)"
	}
	rf, err := openResults(path, plan.Protocol.String(), processLine(o.shown, time.Now()))
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitUsage
	}
	defer rf.Close()
	fmt.Fprintf(stderr, "reasonops: estimate: running %d of %d experiments (every %d-th), %d workers, kernels: %s; their rows go to %s\n",
		len(sample.Experiments), len(plan.Experiments), o.every, o.workers, kernels.name, where)
	start := time.Now()
	err = sweepFile(ctx, sample, rf, o.workers, 0, func(p Progress) {
		if p.Event == progressRow {
			fmt.Fprintln(stderr, progressLine(p, 0))
		}
	})
	if errors.Is(err, context.Canceled) {
		code, _ := stopStatus(ctx)
		fmt.Fprintf(stderr, "reasonops: estimate stopped\n")
		return code
	}
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	rows, err := sampleRows(path, sample)
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	printProjection(stdout, rows, len(plan.Experiments), o.workers, time.Since(start))
	return exitOK
}

// sampleRows reads the results file at path and returns the rows of the
// sample's experiments (the file may hold others, from an earlier study).
func sampleRows(path string, sample Plan) ([]Row, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, _, err := readResults(data)
	if err != nil {
		return nil, err
	}
	inSample := map[string]bool{}
	for _, e := range sample.Experiments {
		inSample[e.Key()] = true
	}
	return slices.DeleteFunc(rows, func(r Row) bool { return !inSample[r.Key()] }), nil
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
		planSize, workers, formatDuration(projected), kernels.name)
}

// runStudy runs the plan's sweep into the results file with progress on
// stderr, logs the invocation, and writes the report; it holds the results
// file's lock from before it reads the file until the report is written.
func runStudy(ctx context.Context, o options, plan Plan, stderr io.Writer) int {
	path := resultsPath(o.outDir, o.sel.Shard)
	started := time.Now()
	rf, err := openResults(path, plan.Protocol.String(), processLine(o.shown, started))
	if err != nil {
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		if isSetupError(err) {
			return exitUsage
		}
		return exitFailure
	}
	defer rf.Close()
	showOpened(stderr, rf)
	view := newProgressView(stderr)
	defer view.stop()
	var last Progress
	run := Invocation{
		Started: started, Command: o.shown, GoVersion: runtime.Version(), Kernel: kernels.name, CPU: cpuModel(),
		CPUs: runtime.NumCPU(), Selected: len(plan.Experiments), Open: true, PID: os.Getpid(), Results: filepath.Base(path),
	}
	begun := false // it had experiments to run and wrote (or tried to write) its open line
	err = sweepFile(ctx, plan, rf, o.workers, progressRefresh, func(p Progress) {
		last = p
		if p.Event == progressStart && p.Skipped < p.Total {
			run.Workers, begun = p.Workers, true
			logInvocation(stderr, o.outDir, run) // the line that says it has begun
		}
		showProgress(stderr, view, o.args, path, p)
	})
	view.end()
	stopped := errors.Is(err, context.Canceled)
	code, sig := exitInterrupted, ""
	if stopped {
		code, sig = stopStatus(ctx)
	}
	if begun {
		logInvocation(stderr, o.outDir, run.closed(time.Now(), last, sig, stopped))
	}
	switch {
	case stopped:
		by := "interrupted"
		if sig != "" {
			by = "stopped by " + sig
		}
		fmt.Fprintf(stderr, "reasonops: %s; %s of %s experiments are saved in %s; run the same command to continue\n",
			by, thousands(last.Done), thousands(last.Total), path)
		return code
	case err != nil:
		fmt.Fprintf(stderr, "reasonops: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "reasonops: done: %s experiments in %s (%s run now, %s already there), %s successes this run, %s\n",
		thousands(last.Total), path, thousands(last.Done-last.Skipped), thousands(last.Skipped), thousands(last.Successes), formatDuration(last.Elapsed))
	if o.sel.Shard.N > 0 {
		fmt.Fprintf(stderr, "reasonops: this is shard %s; merge the shards (go run . merge -out DIR FILE...), then go run . report -out DIR\n", o.sel.Shard)
		return exitOK
	}
	if code := runReport(o.outDir, stderr); code != exitOK {
		return exitFailure
	}
	return exitOK
}

// showProgress shows one progress event of a study writing to path: the
// opening line (and the hint to the faster build, given the user's own
// args) at the start, the progress view after that.
func showProgress(stderr io.Writer, view *progressView, args []string, path string, p Progress) {
	switch {
	case p.Event == progressStart && p.Skipped == p.Total:
		fmt.Fprintf(stderr, "reasonops: %s experiments, all already in %s\n", thousands(p.Total), path)
	case p.Event == progressStart:
		fmt.Fprintf(stderr, "reasonops: %s experiments (%s already in %s), %d workers, kernels: %s\n", thousands(p.Total), thousands(p.Skipped), path, p.Workers, kernels.name)
		if hint := simdHint(args, runtime.Version(), runtime.GOARCH, kernels.name, cpuFlags()); hint != "" && p.Skipped < p.Total {
			fmt.Fprintln(stderr, hint)
		}
	default:
		view.show(p)
	}
}

// logInvocation appends a line of a study's invocation to the run log in
// dir: the open line as it begins, or its record (Invocation.closed) once
// it has ended. A failure is said on stderr and does not stop the study.
func logInvocation(stderr io.Writer, dir string, inv Invocation) {
	if err := appendInvocation(dir, inv); err != nil {
		fmt.Fprintf(stderr, "reasonops: cannot write the run log: %v\n", err)
	}
}

// showOpened says what opening the results file did to it, and that it is
// not locked on a system without file locks.
func showOpened(stderr io.Writer, rf *resultsFile) {
	if rf.tornTo != "" {
		fmt.Fprintf(stderr, "reasonops: the last line of %s was torn (%d bytes, no complete row: an interrupted write); moved it to %s\n",
			rf.path, rf.tornBytes, rf.tornTo)
	}
	if rf.newlineSet {
		fmt.Fprintf(stderr, "reasonops: the last row of %s had no newline at its end; added one\n", rf.path)
	}
	if rf.upgraded {
		fmt.Fprintf(stderr, "reasonops: %s was written before the extrapolation columns existed; rewrote it with them (its rows' new cells empty, every other cell as it was)\n", rf.path)
	}
	if rf.repeatedRow > 0 {
		fmt.Fprintf(stderr, "reasonops: %d rows of %s repeat an experiment's result; each is counted once\n", rf.repeatedRow, rf.path)
	}
	if !locksWork {
		fmt.Fprintf(stderr, "reasonops: note: %s has no file locks; run only one study at a time into %s\n", runtime.GOOS, rf.path)
	}
}

// quietLine is the longest a study's progress goes unwritten when stderr is
// not a terminal (a log file): a line then shows the trainings moving.
const quietLine = time.Minute

// progressView writes a study's progress on stderr. On a terminal it is
// one line, redrawn in place after each experiment and every
// progressRefresh, and cut to the terminal's width so that it never wraps
// (a wrapped line leaves fragments when it is redrawn). Elsewhere it is one
// line per finished experiment, and one after quietLine without any.
type progressView struct {
	w        io.Writer
	terminal bool
	width    atomic.Int64 // the terminal's columns, kept up to date when it is resized
	drawn    bool         // a line is on the terminal
	written  time.Time    // when a line was last written
	stop     func()       // stops following the terminal's size
}

// newProgressView returns the view of progress on stderr.
func newProgressView(stderr io.Writer) *progressView {
	v := &progressView{w: stderr, terminal: isTerminal(stderr), written: time.Now(), stop: func() {}}
	f, ok := stderr.(*os.File)
	if !v.terminal || !ok {
		return v
	}
	v.width.Store(int64(terminalWidth(f)))
	if len(resizeSignals) > 0 {
		resized := make(chan os.Signal, 1)
		signal.Notify(resized, resizeSignals...)
		go func() {
			for range resized {
				v.width.Store(int64(terminalWidth(f)))
			}
		}()
		v.stop = func() { signal.Stop(resized); close(resized) }
	}
	return v
}

// show writes p.
func (v *progressView) show(p Progress) {
	if v.terminal {
		fmt.Fprintf(v.w, "\r%s\033[K", progressLine(p, int(v.width.Load())-1))
		v.drawn = true
		return
	}
	if p.Event == progressRow || time.Since(v.written) >= quietLine {
		fmt.Fprintln(v.w, progressLine(p, 0))
		v.written = time.Now()
	}
}

// end ends the line drawn on a terminal.
func (v *progressView) end() {
	if v.drawn {
		fmt.Fprintln(v.w)
		v.drawn = false
	}
}

// terminalWidth returns the columns of the terminal f: from stty (which
// asks the terminal itself, with no unsafe code here), else from $COLUMNS,
// else 80.
func terminalWidth(f *os.File) int {
	cmd := exec.Command("stty", "size")
	cmd.Stdin = f
	if out, err := cmd.Output(); err == nil {
		var rows, cols int
		if n, _ := fmt.Sscan(string(out), &rows, &cols); n == 2 && cols > 0 {
			return cols
		}
	}
	if cols, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && cols > 0 {
		return cols
	}
	return 80
}

// simdSpeedup is how much faster the SIMD build runs the whole study than
// the default build on the two machines the README's Performance section
// names, an AVX-512 Xeon and a Zen 4 (go run . estimate in both builds).
const simdSpeedup = "7 to 10 times"

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
// successes, elapsed, ETA (or that it is not known yet), the trainings in
// flight and their steps so far, and the experiment finished last. With
// width > 0 the line is at most width characters: the parts that do not fit
// are left out, the last one that fits in part is cut with "…".
func progressLine(p Progress, width int) string {
	eta := "ETA unknown yet"
	if p.ETA.Known {
		eta = "ETA " + formatDuration(p.ETA.Left)
		switch spread := math.Round(p.ETA.Spread * 20); { // in steps of 5%
		case spread >= 20:
			eta += " (rough)"
		case spread >= 1:
			eta += fmt.Sprintf(" ±%.0f%%", spread*5)
		}
	}
	head := fmt.Sprintf("[%s/%s] %s successes, %s elapsed, %s", thousands(p.Done), thousands(p.Total), thousands(p.Successes), formatDuration(p.Elapsed), eta)
	var parts []string
	if p.InFlight > 0 {
		parts = append(parts, fmt.Sprintf("%d training, %s steps", p.InFlight, thousands(int(p.InFlightSteps))))
	}
	if r := p.Last; r != nil {
		if r.Error != "" {
			parts = append(parts, fmt.Sprintf("last: %s %s %s: error", r.Task, r.Dataset, r.Network))
		} else {
			parts = append(parts, fmt.Sprintf("last: %s %s %s: %s (lr %s, %d steps)", r.Task, r.Dataset, r.Network, r.AccuracyPct, formatFloat(r.LR), r.GlobalStep))
		}
	}
	return fitLine(head, parts, width)
}

// fitLine joins head and parts with " | " into at most width characters
// (no limit if width <= 0): parts that do not fit are left out, except the
// last, which is cut with "…" if at least 10 characters of it fit; a head
// wider than width is cut.
func fitLine(head string, parts []string, width int) string {
	line := head
	for i, part := range parts {
		next := line + " | " + part
		if width <= 0 || utf8.RuneCountInString(next) <= width {
			line = next
			continue
		}
		if room := width - utf8.RuneCountInString(line) - len(" | ") - 1; i == len(parts)-1 && room >= 10 {
			line += " | " + string([]rune(part)[:room]) + "…"
		}
		break
	}
	if width > 0 && utf8.RuneCountInString(line) > width {
		line = string([]rune(line)[:max(width, 0)])
	}
	return line
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
