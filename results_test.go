package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// smallArgs select two quick experiments, run with one worker.
var smallArgs = []string{"-quick", "-grid-steps", "5", "-long-steps", "0", "-tasks", "dot,logical_and",
	"-datasets", "many_hot", "-networks", "multiply_simple", "-workers", "1"}

// smallResults is the results file of smallArgs, run once for all tests.
var smallResults struct {
	sync.Once
	data []byte
	err  string
}

// smallStudy returns a new folder holding the results file of smallArgs
// (no report), its path and its contents.
func smallStudy(t *testing.T) (dir, path string, data []byte) {
	t.Helper()
	smallResults.Do(func() {
		tmp, err := os.MkdirTemp("", "reasonops-small-")
		if err != nil {
			smallResults.err = err.Error()
			return
		}
		defer os.RemoveAll(tmp)
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append(smallArgs, "-out", tmp), &stdout, &stderr); code != 0 {
			smallResults.err = stderr.String()
			return
		}
		smallResults.data, err = os.ReadFile(filepath.Join(tmp, resultsName))
		if err != nil {
			smallResults.err = err.Error()
		}
	})
	if smallResults.err != "" {
		t.Fatalf("the small study: %s", smallResults.err)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, resultsName)
	if err := os.WriteFile(path, smallResults.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path, bytes.Clone(smallResults.data)
}

// TestLastRowWithoutNewline: a complete last row without its newline (cut
// off by hand, or a CRLF file without its final CRLF, or with only the CR
// left) is a row: the report counts it, and a study resumes without
// redoing it, adding the newline before its own rows (the first case runs
// the command line, the others open the file as a study does).
func TestLastRowWithoutNewline(t *testing.T) {
	dir, path, whole := smallStudy(t)
	want := readRows(t, path)
	crlf := bytes.ReplaceAll(whole, []byte("\n"), []byte("\r\n"))
	for i, c := range []struct {
		name string
		data []byte
	}{
		{"LF", whole[:len(whole)-1]},
		{"CRLF", crlf[:len(crlf)-2]},
		{"CRLF without its LF", crlf[:len(crlf)-1]},
	} {
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		rows, torn, _, err := readStudyRows(path)
		if err != nil || len(rows) != len(want) || torn != 0 {
			t.Fatalf("%s: the report reads %d rows of %d (torn %d, %v)", c.name, len(rows), len(want), torn, err)
		}
		if i == 0 {
			msg := runCLI(t, append(smallArgs, "-out", dir)...)
			if !strings.Contains(msg, fmt.Sprintf("(0 run now, %d already there)", len(want))) || !strings.Contains(msg, "had no newline at its end; added one") {
				t.Errorf("%s: the study said %q", c.name, msg)
			}
		} else {
			rf, err := openResults(path, rows[0].Protocol, "test")
			if err != nil {
				t.Fatal(err)
			}
			rf.Close()
			if len(rf.done) != len(want) || !rf.newlineSet {
				t.Errorf("%s: opened with %d rows done, newline added %v", c.name, len(rf.done), rf.newlineSet)
			}
		}
		data, _ := os.ReadFile(path)
		if !bytes.HasSuffix(data, []byte("\n")) || strings.Join(readRows(t, path), "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: after the study the file is %q", c.name, data)
		}
	}
}

// TestTornTailMovedAside: a tail that is no complete row (an append cut
// short, or junk) is ignored by the report, which says so, and moved by a
// study to a file beside the results, byte for byte, never just deleted
// (the first case runs the command line, the others open the file as a
// study does).
func TestTornTailMovedAside(t *testing.T) {
	dir, path, whole := smallStudy(t)
	want := readRows(t, path)
	rows, _, _ := readResults(whole)
	for i, tail := range [][]byte{
		[]byte("dot,many_hot,multiply_simple,1,linear,50.0%,0.5"),                      // an append cut short
		[]byte("logical_and,many_hot,multiply,1,linear,0.0%,0,0,0,0,\"panic: x\nat y"), // cut inside a quoted cell with a newline
		bytes.Repeat([]byte("junk "), 200_000),                                         // a megabyte of junk without a newline
	} {
		if err := os.WriteFile(path, append(bytes.Clone(whole), tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, torn, _, err := readStudyRows(path); torn != len(tail) || err != nil {
			t.Errorf("the report's reading: torn %d of %d, %v", torn, len(tail), err)
		}
		if i == 0 {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"report", "-out", dir}, &stdout, &stderr); code != 0 ||
				!strings.Contains(stderr.String(), fmt.Sprintf("ignored the torn last line of %s (%d bytes", path, len(tail))) {
				t.Errorf("report: exit %d, %q", code, stderr.String())
			}
			msg := runCLI(t, append(smallArgs, "-out", dir)...)
			if !strings.Contains(msg, fmt.Sprintf("was torn (%d bytes", len(tail))) || !strings.Contains(msg, "moved it to "+path+".torn-") {
				t.Errorf("the study said %q", msg)
			}
		} else {
			rf, err := openResults(path, rows[0].Protocol, "test")
			if err != nil {
				t.Fatal(err)
			}
			rf.Close()
			if rf.tornBytes != len(tail) || !strings.HasPrefix(rf.tornTo, path+".torn-") {
				t.Errorf("opened: torn %d bytes moved to %q", rf.tornBytes, rf.tornTo)
			}
		}
		sides, _ := filepath.Glob(path + ".torn-*")
		if len(sides) != 1 {
			t.Fatalf("side files %v, want one", sides)
		}
		if saved, _ := os.ReadFile(sides[0]); !bytes.Equal(saved, tail) {
			t.Errorf("the side file holds %d bytes, not the %d of the torn tail", len(saved), len(tail))
		}
		os.Remove(sides[0])
		if got := readRows(t, path); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("after moving the torn tail the rows differ")
		}
	}
}

// TestConflictingRowsRefusedEverywhere: two different results for one
// experiment in one file are refused by a study, by the report and by
// merge alike, each naming the experiment and both lines; the file is left
// as it was.
func TestConflictingRowsRefusedEverywhere(t *testing.T) {
	dir, path, whole := smallStudy(t)
	rows, _, err := readResults(whole)
	if err != nil {
		t.Fatal(err)
	}
	other := rows[0]
	other.Accuracy, other.AccuracyPct = 0.15, "15.0%"
	data := append(bytes.Clone(whole), encodeRow(other.fields())...)
	os.WriteFile(path, data, 0o644)
	want := fmt.Sprintf("experiment %s has two different results, at %s line 2 and at %s line 4 (accuracy_pct", other.Key(), path, path)
	expectUsageError(t, append(smallArgs, "-out", dir), want)
	expectUsageError(t, []string{"report", "-out", dir}, want)
	expectUsageError(t, []string{"merge", "-out", t.TempDir(), path}, want)
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Error("a refused command modified the file")
	}
}

// TestByteOrderMark: a results file saved by a spreadsheet as "CSV UTF-8"
// starts with a byte-order mark; it resumes, reports and merges.
func TestByteOrderMark(t *testing.T) {
	dir, path, whole := smallStudy(t)
	want := readRows(t, path)
	os.WriteFile(path, append([]byte(utf8BOM), whole...), 0o644)
	if msg := runCLI(t, append(smallArgs, "-out", dir)...); !strings.Contains(msg, "(0 run now, 2 already there)") {
		t.Errorf("resume: %q", msg) // and the report it renders read the file
	}
	merged := t.TempDir()
	if msg := runCLI(t, "merge", "-out", merged, path); !strings.Contains(msg, "merged 2 rows") {
		t.Errorf("merge: %q", msg)
	}
	if got := readRows(t, filepath.Join(merged, resultsName)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Error("the merged rows differ")
	}
}

// TestMergeProtocolFlags: merge takes the protocol of its files; with
// protocol flags (-quick, -grid-steps, -long-steps) it insists on that
// protocol and names the settings that differ.
func TestMergeProtocolFlags(t *testing.T) {
	_, path, _ := smallStudy(t) // grid=5
	expectUsageError(t, []string{"merge", "-out", t.TempDir(), "-quick", "-grid-steps", "6", "-long-steps", "0", path},
		"the files hold results of another protocol than the flags ask for (grid=5 there, grid=6 here)")
	runCLI(t, "merge", "-out", t.TempDir(), path)
	runCLI(t, "merge", "-out", t.TempDir(), "-quick", "-grid-steps", "5", "-long-steps", "0", path)
}

// TestMergeConflictNamesBothFiles: two files that disagree on an
// experiment are refused with both files (and lines) named.
func TestMergeConflictNamesBothFiles(t *testing.T) {
	_, a, whole := smallStudy(t)
	rows, _, _ := readResults(whole)
	rows[1].Accuracy, rows[1].AccuracyPct = 0.99, "99.0%"
	if rows[1].sameResult(rows[0]) {
		t.Fatal("no conflict made")
	}
	b := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(b, append(encodeRow(resultsHeader), encodeRow(rows[1].fields())...), 0o644)
	expectUsageError(t, []string{"merge", "-out", t.TempDir(), a, b},
		fmt.Sprintf("experiment %s has two different results, at %s line 3 and at %s line 2", rows[1].Key(), a, b))
}

// TestParseResultsLastLine checks parseResults on the ends a file can
// have: a complete last row without a newline is a row; one cut inside its
// protocol (which still parses as a protocol) is torn; a cut header is
// torn; a byte-order mark is skipped without shifting line numbers.
func TestParseResultsLastLine(t *testing.T) {
	p := tinyProtocol().String()
	row := func(seed uint64) []byte {
		r := Row{Task: "dot", Dataset: "random", NetworkType: "dense", NetworkDepth: 1, NetworkActivation: "linear",
			Network: "dense-1-linear", Seed: seed, Protocol: p}
		return encodeRow(r.fields())
	}
	header := encodeRow(resultsHeader)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cut := func(b []byte, n int) []byte { return b[:len(b)-n] }
	for _, c := range []struct {
		name      string
		data      []byte
		expect    string
		rows      int
		torn      int
		noNewline bool
	}{
		{"whole", cat(header, row(1), row(2)), "", 2, 0, false},
		{"no final newline", cat(header, row(1), cut(row(2), 1)), "", 2, 0, true},
		{"cut in the protocol", cat(header, row(1), cut(row(2), 3)), "", 1, len(row(2)) - 3, false},
		{"only row cut in the protocol, expected", cat(header, cut(row(1), 3)), p, 0, len(row(1)) - 3, false},
		{"only row whole, expected", cat(header, cut(row(1), 1)), p, 1, 0, true},
		{"header without newline", cut(header, 1), "", 0, 0, true},
		{"header cut", header[:9], "", 0, 9, false},
		{"byte-order mark", cat([]byte(utf8BOM), header, row(1)), "", 1, 0, false},
	} {
		got, err := parseResults(c.data, c.expect)
		if err != nil || len(got.rows) != c.rows || got.torn != c.torn || got.noNewline != c.noNewline {
			t.Errorf("%s: %d rows, torn %d, no newline %v, %v; want %d rows, torn %d, no newline %v",
				c.name, len(got.rows), got.torn, got.noNewline, err, c.rows, c.torn, c.noNewline)
		}
		if len(got.lines) > 0 && got.lines[0] != 2 {
			t.Errorf("%s: the first row is on line %d, want 2", c.name, got.lines[0])
		}
	}
}

// dropOptionalColumns returns a results file's contents without its
// optional columns, as a file written before they existed.
func dropOptionalColumns(t *testing.T, data []byte) []byte {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for i, c := range resultsColumns {
		if !c.optional {
			keep = append(keep, i)
		}
	}
	var buf bytes.Buffer
	for _, rec := range records {
		var cells []string
		for _, i := range keep {
			cells = append(cells, rec[i])
		}
		buf.Write(encodeRow(cells))
	}
	return buf.Bytes()
}

// TestOlderResultsFileUpgraded: a results file written before the
// extrapolation columns is read (its rows unmeasured there), reported,
// and, when a study resumes into it, rewritten with today's header, every
// old cell as it was and the new ones empty; the study's own rows then
// carry their extrapolation measures.
func TestOlderResultsFileUpgraded(t *testing.T) {
	dir, path, data := smallStudy(t)
	old := dropOptionalColumns(t, data)
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	rows, _, err := readResults(old)
	if err != nil || len(rows) != 2 {
		t.Fatalf("reading the older file: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if !math.IsNaN(r.Extrapolation[2].Accuracy) || r.fields()[slices.Index(resultsHeader, "density25_accuracy")] != "" {
			t.Errorf("%s: extrapolation %v, want not measured", r.Key(), r.Extrapolation)
		}
	}
	if _, err := writeReport(dir); err != nil {
		t.Fatalf("report of the older file: %v", err)
	}
	var stdout, stderr bytes.Buffer
	args := append(slices.Clone(smallArgs), "-datasets", "many_hot,random", "-tasks", "dot", "-out", dir)
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "rewrote it with them") {
		t.Errorf("the rewrite was not reported: %s", stderr.String())
	}
	now, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(now)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	oldRecords, _ := csv.NewReader(bytes.NewReader(old)).ReadAll()
	if strings.Join(records[0], ",") != strings.Join(resultsHeader, ",") || len(records) != len(oldRecords)+1 {
		t.Fatalf("after the resume: header %v, %d lines; want today's header and %d lines", records[0], len(records), len(oldRecords)+1)
	}
	for i, rec := range oldRecords[1:] {
		got := records[i+1]
		j := 0
		for k, c := range resultsColumns {
			switch {
			case c.optional && got[k] != "":
				t.Errorf("line %d: %s = %q, want empty", i+2, c.name, got[k])
			case !c.optional && got[k] != rec[j]:
				t.Errorf("line %d: %s = %q, was %q", i+2, c.name, got[k], rec[j])
			}
			j += b2i(!c.optional)
		}
	}
	added, err := parseRow(records[len(records)-1])
	if err != nil || added.Dataset != "random" || math.IsNaN(added.Extrapolation[0].Accuracy) || !math.IsNaN(added.Extrapolation[2].Accuracy) {
		t.Errorf("the new row: %+v, %v; want x2 measured, density25 not", added, err)
	}
}

// TestSameResultIgnoresMissingMeasures: a row without extrapolation
// measures (written before they existed) and the same row with them hold
// the same result; different measures do not.
func TestSameResultIgnoresMissingMeasures(t *testing.T) {
	a := reportRow("dot", "random", "multiply", 1, 0.5)
	a.unmeasured()
	b := a
	b.Extrapolation[0] = extrapolationMeasure{0.25, 3}
	if !a.sameResult(b) || !b.sameResult(a) {
		t.Error("a row without a measure differs from the row with it")
	}
	c := b
	c.Extrapolation[0].Accuracy = 0.5
	if b.sameResult(c) {
		t.Error("rows with different measures hold the same result")
	}
}

// TestMeasuresKeptWhenRowsRepeat: an experiment's row without extrapolation
// measures and a repeat of it with them hold one result, and the set keeps
// the measures, whichever came first; a measured NaN MSE is written "NaN",
// not as the empty cell of an unmeasured set.
func TestMeasuresKeptWhenRowsRepeat(t *testing.T) {
	old := reportRow("dot", "random", "multiply", 1, 0.5)
	old.unmeasured()
	measured := old
	measured.Extrapolation[1] = extrapolationMeasure{0.25, math.NaN()}
	for _, order := range [][]Row{{old, measured}, {measured, old}} {
		set := newRowSet()
		for i, r := range order {
			if err := set.add(r, fmt.Sprint("line ", i)); err != nil {
				t.Fatal(err)
			}
		}
		if len(set.rows) != 1 || set.rows[0].Extrapolation[1].Accuracy != 0.25 {
			t.Errorf("kept %+v", set.rows)
		}
	}
	cells := measured.fields()
	if got := cells[slices.Index(resultsHeader, "x4_mse")]; got != "NaN" {
		t.Errorf("a measured NaN MSE is written %q", got)
	}
	if got := cells[slices.Index(resultsHeader, "x2_mse")]; got != "" {
		t.Errorf("an unmeasured MSE is written %q", got)
	}
}
