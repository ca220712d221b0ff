//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// watchedOutput collects a subprocess's stderr and closes seen when it
// first contains want.
type watchedOutput struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

// Write adds p to the output.
func (w *watchedOutput) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// String returns the output so far.
func (w *watchedOutput) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startUntil starts cmd and returns once its stderr contains want (failing
// the test after a minute without it); the returned output keeps
// collecting stderr until cmd ends.
func startUntil(t *testing.T, cmd *exec.Cmd, want string) *watchedOutput {
	t.Helper()
	out := &watchedOutput{want: want, seen: make(chan struct{})}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	select {
	case <-out.seen:
	case <-time.After(time.Minute):
		t.Fatalf("no %q from the subprocess within a minute: %s", want, out)
	}
	return out
}

// exitCode returns the exit status of a finished command (-1 if a signal
// ended it).
func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestSecondWriterRefused runs two real processes into one -out folder (two
// terminals, or a shard started twice): the second is refused at once, exit
// 2, with one line naming the first (its PID, start and command); the
// first goes on, stopped here by Ctrl-C, and its file holds each row once.
func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"-out", dir, "-workers", "1"}, tortureArgs...)
	first := command(args...)
	startUntil(t, first, "experiments (0 already in")
	second := command(args...)
	var msg bytes.Buffer
	second.Stderr = &msg
	err := second.Run()
	want := fmt.Sprintf("results.csv is in use by another reasonops process (pid %d, started ", first.Process.Pid)
	if exitCode(err) != exitUsage || !strings.Contains(msg.String(), want) || !strings.Contains(msg.String(), "command: reasonops -out "+dir) ||
		strings.Count(msg.String(), "\n") != 1 {
		t.Errorf("the second writer: %v, %q; want exit 2 and one line containing %q", err, msg.String(), want)
	}
	first.Process.Signal(syscall.SIGINT)
	if err := first.Wait(); err != nil && exitCode(err) != exitInterrupted {
		t.Fatalf("the first writer: %v", err)
	}
	readRows(t, filepath.Join(dir, resultsName)) // parses, no experiment twice
	if holder, _ := os.ReadFile(filepath.Join(dir, resultsName+lockSuffix)); len(holder) != 0 {
		t.Errorf("the lock file still names %q after its holder ended", holder)
	}
}

// TestMergeRefusedDuringStudy: merge into a folder a study is writing is
// refused (it would replace the file the study appends to); once the study
// has stopped, it merges every row.
func TestMergeRefusedDuringStudy(t *testing.T) {
	p := quickProtocol() // tortureArgs' protocol
	p.GridSteps, p.LongSteps = 30, 60
	task, _ := lookupTask("reduce_max")
	net, _ := findNetwork("multiply_simple")
	row := newRow(p, Experiment{Task: task, Dataset: manyHot, Network: net, Seed: 1}) // not one of tortureArgs'
	row.AccuracyPct, row.Chosen = "0.0%", "grid"
	extraFile := filepath.Join(t.TempDir(), resultsName)
	os.WriteFile(extraFile, append(encodeRow(resultsHeader), encodeRow(row.fields())...), 0o644)
	dir := t.TempDir()
	study := command(append([]string{"-out", dir, "-workers", "1"}, tortureArgs...)...)
	startUntil(t, study, "experiments (0 already in")
	expectUsageError(t, []string{"merge", "-out", dir, extraFile}, fmt.Sprintf("is in use by another reasonops process (pid %d", study.Process.Pid))
	study.Process.Signal(syscall.SIGINT)
	if err := study.Wait(); err != nil && exitCode(err) != exitInterrupted {
		t.Fatalf("the study: %v", err)
	}
	n := len(readRows(t, filepath.Join(dir, resultsName)))
	if msg := runCLI(t, "merge", "-out", dir, extraFile); !strings.Contains(msg, fmt.Sprintf("merged %d rows", n+1)) {
		t.Errorf("merge of %d rows and 1 after the study: %q", n, msg)
	}
}

// TestStopSignals sends SIGTERM (Slurm, Kubernetes) and SIGHUP (a closed
// ssh session) to a running study: each stops it cleanly like Ctrl-C, with
// the conventional status 128+signal (143, 129), a message, and a line in
// the run log that names the signal and the command as invoked.
func TestStopSignals(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGTERM, "SIGTERM"}, {syscall.SIGHUP, "SIGHUP"}} {
		dir := t.TempDir()
		study := command(append([]string{"-out", dir, "-workers", "1"}, tortureArgs...)...)
		out := startUntil(t, study, "[1/18]")
		study.Process.Signal(c.sig)
		err := study.Wait()
		if code := exitCode(err); code != 128+int(c.sig) {
			t.Errorf("%s: exit %d, want %d: %s", c.name, code, 128+int(c.sig), out)
			continue
		}
		if !strings.Contains(out.String(), "stopped by "+c.name+"; ") || !strings.Contains(out.String(), "run the same command to continue") {
			t.Errorf("%s: %s", c.name, out)
		}
		invs := readInvocations(dir)
		if len(invs) != 1 {
			t.Fatalf("%s: run log read as %+v, want one invocation", c.name, invs)
		}
		if inv := invs[0]; inv.Killed || !inv.Interrupted || inv.StoppedBy != c.name || !strings.HasPrefix(inv.Command, "reasonops -out "+dir) || inv.Ran < 1 {
			t.Errorf("%s: run log %+v", c.name, inv)
		}
		readRows(t, filepath.Join(dir, resultsName))
	}
}

// TestRunLogKeepsKilledRuns SIGKILLs a study, which can write nothing at
// its end: its run log still holds the line it wrote at the start, read as
// a killed invocation that the report counts without a wall time; a report
// made while a study runs calls its invocation under way, not killed; and
// the run that completes the study is logged after the killed one.
func TestRunLogKeepsKilledRuns(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"-out", dir, "-workers", "1"}, tortureArgs...)
	study := command(args...)
	startUntil(t, study, "[1/18]")
	runCLI(t, "report", "-out", dir)
	mustContain(t, reportName, string(readReportFile(t, dir, reportName)),
		"A run into this folder is under way (`reasonops -out "+dir,
		"| under way | under way | running now |")
	study.Process.Kill()
	study.Wait()
	invs := readInvocations(dir)
	if len(invs) != 1 || !invs[0].Killed || !invs[0].Interrupted || invs[0].Selected != 18 {
		t.Fatalf("after SIGKILL the run log reads as %+v, want one killed invocation of 18 experiments", invs)
	}
	runCLI(t, "report", "-out", dir)
	mustContain(t, reportName, string(readReportFile(t, dir, reportName)),
		"summed over 0 invocations (from runs.jsonl), and 1 more invocation killed before it could record its wall time (any rows it wrote are in the file)",
		"| not recorded | not recorded | killed: no record at its end |")
	// The resumed run writes its report while it holds the lock: the killed
	// invocation is still killed there, not under way.
	runCLI(t, args...)
	invs = readInvocations(dir)
	if len(invs) != 2 || !invs[0].Killed || invs[1].Killed || invs[1].Interrupted || invs[1].Ran < 1 || invs[1].WallSeconds <= 0 {
		t.Fatalf("after the resumed run the run log reads as %+v, want the killed one, then one that ran to the end", invs)
	}
	md := string(readReportFile(t, dir, reportName))
	mustContain(t, reportName, md, "| not recorded | not recorded | killed: no record at its end |", "summed over 1 invocation (from runs.jsonl), and 1 more invocation killed")
	if strings.Contains(md, "under way") {
		t.Error("the resumed run's own report calls an invocation under way")
	}
}

// TestRunLogAfterTornLine: a line appended after a torn last line (no
// newline: a write cut short) starts a line of its own, so the torn line
// does not swallow it.
func TestRunLogAfterTornLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, runsLogName), []byte(`{"started":"2026-01-0`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := appendInvocation(dir, Invocation{Command: "go run .", Selected: 3, Ran: 3, WallSeconds: 9}); err != nil {
		t.Fatal(err)
	}
	if invs := readInvocations(dir); len(invs) != 1 || invs[0].Ran != 3 {
		t.Fatalf("read %+v, want the appended invocation", invs)
	}
}
