package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// TestMain lets a test run the real command line in a subprocess: when
// REASONOPS_TEST_ARGS is set, the test binary behaves as the reasonops
// binary with those arguments (separated by newlines) instead of running
// tests.
func TestMain(m *testing.M) {
	if args := os.Getenv("REASONOPS_TEST_ARGS"); args != "" {
		for _, f := range beforeMain {
			f()
		}
		os.Args = append([]string{"reasonops"}, strings.Split(args, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// beforeMain are run in a subprocess started by command before it runs as
// reasonops (lock_test.go adds a limit on file sizes, where it has one).
var beforeMain []func()

// command returns the test binary set up to run as reasonops with args.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "REASONOPS_TEST_ARGS="+strings.Join(args, "\n"))
	return cmd
}

// cliArgs are the flags of a small real study run through the command
// line: 12 fast experiments with very short trials.
var cliArgs = []string{"-quick", "-grid-steps", "10", "-long-steps", "20",
	"-tasks", "elementwise_add,logical_or,dot", "-datasets", "many_hot,one_hot", "-networks", "dense-1-linear,multiply_simple"}

// runCLI runs the command line in this process and fails on a non-zero exit.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
	}
	return stderr.String()
}

// expectUsageError runs the command line with args in this process and
// fails unless it exits 2 with exactly one line on stderr containing want.
func expectUsageError(t *testing.T, args []string, want string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	msg := stderr.String()
	if code != exitUsage || !strings.Contains(msg, want) || strings.Count(msg, "\n") != 1 {
		t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line containing %q", args, code, msg, want)
	}
}

// TestCommandLineErrors runs the command with bad input: each gets one line
// on stderr naming the problem (and the valid choices where there is a
// list), exit status 2, and no results file is created or changed.
func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // the default -out is ./results; it must not appear here
	notAFolder := filepath.Join(dir, "file")
	os.WriteFile(notAFolder, []byte("x"), 0o644)
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	otherRow := Row{Task: "dot", Dataset: "random", NetworkType: "dense", NetworkDepth: 1, NetworkActivation: "linear",
		Network: "dense-1-linear", Seed: 1, Protocol: "reasonops-0;grid=5"}
	otherFile := append(encodeRow(resultsHeader), encodeRow(otherRow.fields())...)
	os.WriteFile(filepath.Join(other, "results.csv"), otherFile, 0o644)
	cases := []struct {
		args []string
		want string // a part of the message
	}{
		{[]string{"-tasks", "sum"}, `unknown task "sum" (valid: reduce_sum, reduce_max`},
		{[]string{"-datasets", "onehot"}, `unknown dataset "onehot" (valid: one_hot, many_hot, random, random_pos)`},
		{[]string{"-networks", "dense-4-relu"}, `unknown network "dense-4-relu" (valid: dense-1-linear`},
		{[]string{"-tasks", "dot,,concat"}, `malformed list`},
		{[]string{"-networks", "multiply,"}, `malformed list`},
		{[]string{"-workers", "two"}, `invalid value "two" for flag -workers`},
		{[]string{"-workers", "0"}, `-workers must be at least 1`},
		{[]string{"-seeds", "0"}, `-seeds must be at least 1`},
		{[]string{"-seed", "-3"}, `invalid value "-3" for flag -seed`},
		{[]string{"-grid-steps", "0"}, `-grid-steps must be at least 1`},
		{[]string{"-long-steps", "-5"}, `-long-steps must be 0`},
		{[]string{"-bogus"}, `flag provided but not defined: -bogus`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" (valid: list`},
		{[]string{"-tasks", "dot", "-out", notAFolder}, `cannot create the output folder`},
		{[]string{"-tasks", "dot", "-out", other}, `holds results of another protocol`},
		// Bounds (issue 11, items 6-8).
		{[]string{"-tasks", "dot,dot"}, `-tasks "dot,dot" names dot twice`},
		{[]string{"-networks", "multiply,dense-1-relu,multiply"}, `names multiply twice`},
		{[]string{"-tasks", ""}, `-tasks is empty (an unset shell variable?)`},
		{[]string{"-datasets", " "}, `-datasets is empty`},
		{[]string{"-networks="}, `-networks is empty`},
		{[]string{"-grid-steps", "-1"}, `-grid-steps must be at least 1, got -1`},
		{[]string{"-long-steps", "-1"}, `-long-steps must be 0 (no long run) or more, got -1`},
		{[]string{"-seeds", "9999999999"}, `-seeds 9999999999: at most 1000 per study`},
		{[]string{"-workers", "1000000"}, `-workers 1000000: at most`},
		{[]string{"-workers", "20000000", "-tasks", "dot"}, `-workers 20000000: at most`},
		{[]string{"-seed", "18446744073709551615", "-seeds", "2", "-out", filepath.Join(dir, "wrap")}, `the last seed would pass 18446744073709551615`},
	}
	for _, c := range cases {
		expectUsageError(t, c.args, c.want)
	}
	if data, _ := os.ReadFile(filepath.Join(other, "results.csv")); !bytes.Equal(data, otherFile) {
		t.Error("a results file of another protocol was modified")
	}
	for _, folder := range []string{"results", filepath.Join(dir, "wrap")} {
		if _, err := os.Stat(folder); err == nil {
			t.Errorf("a bad command created the folder %s", folder)
		}
	}
}

// TestListCountsExperiments checks `list` against the protocol's arithmetic:
// the paper grid's kept pairs x its networks (paperGridSize); with -all
// every pair; flags narrow it, and name networks beyond the paper. The
// paper's numbers themselves are in TestPaperFacts.
func TestListCountsExperiments(t *testing.T) {
	kept := func(task, dataset string) int { // kept paper pairs matching the names ("" for any)
		n := 0
		for _, tk := range paperTasks {
			for _, d := range datasetNames {
				if (task == "" || task == tk.Name) && (dataset == "" || dataset == d) && exclusionReason(tk.Name, d) == "" {
					n++
				}
			}
		}
		return n
	}
	n := func(k int) string { return fmt.Sprintf("%d experiments", k) }
	nets := len(paperNetworks)
	for _, c := range []struct {
		args []string
		last string
	}{
		{[]string{"list"}, n(paperGridSize())},
		{[]string{"list", "-all"}, n(len(paperTasks) * len(datasetNames) * nets)},
		{[]string{"-seeds", "3", "list"}, n(3 * paperGridSize())},
		{[]string{"list", "-tasks", "one_hot_sum"}, n(kept("one_hot_sum", "") * nets)},
		{[]string{"list", "-tasks", "one_hot_sum", "-all"}, n(len(datasetNames) * nets)},
		{[]string{"list", "-datasets", "random", "-networks", "multiply,multiply_simple"}, n(kept("", "random") * 2)},
		{[]string{"list", "-networks", "nac,nalu"}, n(kept("", "") * 2)},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if got := lines[len(lines)-1]; got != c.last {
			t.Errorf("%v: last line %q, want %q", c.args, got, c.last)
		}
	}
}

// TestHelp checks -h prints the usage with examples and exits 0, and that
// every example works in a fresh clone: it parses and selects experiments,
// and one that writes results (a study, merge, or estimate with -out) names
// its own -out folder, not results/, which holds the committed study.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Examples") {
		t.Fatalf("-h: exit %d, %q", code, stdout.String())
	}
	_, examples, _ := strings.Cut(stdout.String(), "Examples")
	n := 0
	for _, line := range strings.Split(examples, "\n") {
		cmd, ok := strings.CutPrefix(line, "  go run . ")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, "   ") // the description follows after three or more spaces
		args := strings.Fields(cmd)
		n++
		o, err := parseArgs(args)
		if err != nil {
			t.Errorf("example %q: %v", cmd, err)
			continue
		}
		if _, err := newPlan(o.protocol, o.sel); err != nil {
			t.Errorf("example %q: %v", cmd, err)
		}
		writes := o.command == "" || o.command == "merge"
		if writes && (!o.outSet || filepath.Clean(o.outDir) == "results") {
			t.Errorf("example %q writes results without its own -out folder", cmd)
		}
	}
	if n < 6 {
		t.Fatalf("found %d examples in -h", n)
	}
}

// TestCommandLineShown: messages and the run log show the command as it
// was invoked: go run . for a binary the go command built and ran from its
// temporary folder, else the binary's path as typed, with the arguments
// quoted for a shell.
func TestCommandLineShown(t *testing.T) {
	args := []string{"-quick", "-out", "my results"}
	for _, c := range []struct{ arg0, version, want string }{
		{"/tmp/go-build2817/b001/exe/reasonops", "go1.26.8", "go run . -quick -out 'my results'"},
		{"/tmp/go-build2817/b001/exe/reasonops", "go1.26.8 X:simd", "GOEXPERIMENT=simd go run . -quick -out 'my results'"},
		{"./reasonops", "go1.26.8 X:simd", "./reasonops -quick -out 'my results'"},
		{"/usr/local/bin/reasonops", "go1.26.8", "/usr/local/bin/reasonops -quick -out 'my results'"},
	} {
		if got := commandLine(c.arg0, args, c.version); got != c.want {
			t.Errorf("commandLine(%q, %q): %q, want %q", c.arg0, c.version, got, c.want)
		}
	}
}

// TestInterruptStopsCleanly sends SIGINT (Ctrl-C) to a running study: it
// exits with status 130, says how to continue, and what it saved is intact.
func TestInterruptStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	cmd := command(append([]string{"-out", dir}, tortureArgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Skip("the run finished before the interrupt")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d: %s", err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "run the same command to continue") {
		t.Fatalf("stderr %q", stderr.String())
	}
	readRows(t, filepath.Join(dir, "results.csv")) // parses, no torn line, no duplicates
}

// TestRunLogCountsRunsThatAddedRows runs a small study twice: the first run
// logs two lines in runs.jsonl, one as it starts and its record at the end,
// read as one invocation; the second finds everything done and logs
// nothing, so re-running a finished study leaves its report unchanged.
func TestRunLogCountsRunsThatAddedRows(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		runCLI(t, append([]string{"-out", dir}, cliArgs...)...)
	}
	data, err := os.ReadFile(filepath.Join(dir, runsLogName))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 2 {
		t.Errorf("runs.jsonl has %d lines after a run and a re-run with nothing to do, want 2:\n%s", n, data)
	}
	if invs := readInvocations(dir); len(invs) != 1 || invs[0].Killed || invs[0].Ran != 12 {
		t.Errorf("runs.jsonl reads as %+v, want one invocation that ran 12 experiments", invs)
	}
}

// TestEstimate runs the estimate command on a small selection: it runs the
// fixed sample (every 5th of 12 experiments: the 3rd and 8th) and prints a
// projection for all 12.
func TestEstimate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := append([]string{"estimate", "-every", "5"}, cliArgs...)
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "sample: 2 experiments") || !strings.Contains(out, "projected: 12 experiments on") {
		t.Fatalf("estimate printed %q", out)
	}
	if !strings.Contains(stderr.String(), "their rows go to a temporary folder, removed at the end") {
		t.Errorf("estimate does not say where its rows go: %q", stderr.String())
	}
	// With -out the sample's rows are kept in DIR/results.csv, and it says so.
	dir := t.TempDir()
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), append(args, "-out", dir), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	path := filepath.Join(dir, "results.csv")
	if !strings.Contains(stderr.String(), "their rows go to "+path+", kept") {
		t.Errorf("estimate -out does not say where its rows go: %q", stderr.String())
	}
	if n := len(readRows(t, path)); n != 2 {
		t.Errorf("estimate -out left %d rows in %s, want 2", n, path)
	}
}

// TestProgressLine checks the progress line's parts, and that it fits any
// terminal width without wrapping: parts that do not fit are left out or
// cut, never split over two lines.
func TestProgressLine(t *testing.T) {
	row := Row{Task: "dot", Dataset: "random", Network: "multiply", AccuracyPct: "99.0%", LR: 0.01, GlobalStep: 700}
	p := Progress{Event: progressRow, Done: 6, Total: 10, Skipped: 2, Successes: 3, Elapsed: 40 * time.Second,
		ETA: eta{Left: 45 * time.Second, Spread: 0.22, Known: true}, InFlight: 2, InFlightSteps: 2345, Last: &row}
	want := "[6/10] 3 successes, 0:00:40 elapsed, ETA 0:00:45 ±20% | 2 training, 2,345 steps | last: dot random multiply: 99.0% (lr 0.01, 700 steps)"
	if got := progressLine(p, 0); got != want {
		t.Fatalf("progress line\n%q\nwant\n%q", got, want)
	}
	for width := 10; width <= 200; width++ {
		got := progressLine(p, width)
		if n := utf8.RuneCountInString(got); n > width || n < min(width, len(want))-40 {
			t.Fatalf("width %d: %d characters: %q", width, n, got)
		}
		if width >= 60 && !strings.Contains(got, "ETA 0:00:45 ±20%") {
			t.Fatalf("width %d: the ETA was cut: %q", width, got)
		}
	}
	if got := progressLine(p, 79); got != "[6/10] 3 successes, 0:00:40 elapsed, ETA 0:00:45 ±20% | 2 training, 2,345 steps" {
		t.Errorf("width 79: %q", got) // an 80-column terminal: what moves is kept, the last result left out
	}
	if got := progressLine(p, 100); !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) != 100 {
		t.Errorf("width 100: %q", got) // the last result, cut
	}
	if got := progressLine(p, 60); got != "[6/10] 3 successes, 0:00:40 elapsed, ETA 0:00:45 ±20%" {
		t.Errorf("width 60: %q", got) // the steps in flight are never cut: they show whole or not at all
	}
	p.ETA.Spread = 1.2
	if got := progressLine(p, 0); !strings.Contains(got, "ETA 0:00:45 (rough) |") {
		t.Errorf("a spread over 100%% shows as %q", got)
	}
	p.ETA.Known = false
	if got := progressLine(p, 0); !strings.Contains(got, "ETA unknown yet") {
		t.Errorf("an unknown ETA shows as %q", got)
	}
	p.Done, p.Total, p.Successes = 1006, 1980, 1234
	if got := progressLine(p, 0); !strings.HasPrefix(got, "[1,006/1,980] 1,234 successes,") {
		t.Errorf("counts of thousands show as %q", got)
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is not a terminal: progress must be plain lines there")
	}
}

// TestSIMDHint: the default build on a CPU with AVX-512, or AVX2 and FMA,
// says how to run faster with the user's own arguments; nothing is said in
// the SIMD build, on other CPUs, or on other architectures.
func TestSIMDHint(t *testing.T) {
	avx512 := map[string]bool{"avx2": true, "fma": true, "avx512f": true}
	avx2 := map[string]bool{"avx2": true, "fma": true}
	args := []string{"-out", "mine", "-tasks", "dot", "-networks", "it's"}
	got := simdHint(args, "go1.26.8", "amd64", "plain Go", avx512)
	want := "reasonops: this is the default build (plain Go kernels); this CPU has AVX-512, so the SIMD build runs the study " +
		simdSpeedup + ` faster: GOEXPERIMENT=simd go run . -out mine -tasks dot -networks 'it'\''s'`
	if got != want {
		t.Errorf("hint\n%s\nwant\n%s", got, want)
	}
	if got := simdHint(nil, "go1.26.8", "amd64", "plain Go", avx2); !strings.Contains(got, "has AVX2 and FMA") || !strings.HasSuffix(got, ": GOEXPERIMENT=simd go run .") {
		t.Errorf("AVX2 hint: %q", got)
	}
	for _, c := range []struct {
		version, arch, kernel string
		flags                 map[string]bool
	}{
		{"go1.26.8 X:simd", "amd64", "AVX-512 (simd/archsimd)", avx512}, // the SIMD build
		{"go1.26.8 X:simd", "amd64", "plain Go", map[string]bool{"avx": true}},
		{"go1.26.8", "amd64", "plain Go", map[string]bool{"avx2": true}}, // AVX2 without FMA
		{"go1.26.8", "arm64", "plain Go", avx512},
	} {
		if got := simdHint(args, c.version, c.arch, c.kernel, c.flags); got != "" {
			t.Errorf("%v: hint %q, want none", c, got)
		}
	}
	// The line on a real study in this build, on this CPU.
	msg := runCLI(t, "-quick", "-grid-steps", "2", "-long-steps", "0", "-tasks", "dot", "-datasets", "many_hot", "-networks", "multiply_simple", "-out", t.TempDir())
	if wantLine := simdHint(nil, runtime.Version(), runtime.GOARCH, kernels.name, cpuFlags()); (wantLine != "") != strings.Contains(msg, "GOEXPERIMENT=simd go run . -quick") {
		t.Errorf("study output %q, hint expected: %v", msg, wantLine != "")
	}
}
