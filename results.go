// results.go: the results file, the only place that knows its format. It
// holds the protocol string (one String, one parser), the columns (one
// table, from which the header, the writer and the reader all come), the
// study's success rule, the results file opened for appending and resuming,
// the run log of invocations beside it, and the merge of shard files.
//
// A results file is CSV: a header, then one row per finished experiment,
// each appended with a single write in append mode and synced, so that an
// interrupted study loses at most the experiments in flight. One process at
// a time writes it: a study or merge holds an exclusive lock on it
// (results.csv.lock beside it) from before it reads the file until it is
// done, and a second one is refused with the first one named. Rows are
// resumed and merged together only if their protocol strings are equal, and
// one experiment's rows only if they hold the same result (rowSet). A torn
// last line is moved to a file beside the results, never just deleted.
//
// This file knows nothing about how a network trains, nor about the worker
// pool: it reads an experiment's outcome (train.go) into a row, and rows
// back from a file.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ---------------------------------------------------------------------------
// The protocol string.

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

// String describes the protocol in one line, which is the results file's
// protocol column: rows are resumed and merged together only if these
// strings are equal. parseProtocol reads it back. The replay's switches,
// when any is on, come last (";replay=v2:residual-eval+train-stop", see
// replayVersion), after the sparsity regulariser when it is on, so that
// the fixed protocol's string is the same as before either existed and
// their rows never mix with fixed ones.
func (p Protocol) String() string {
	lrs := make([]string, len(p.LRs))
	for i, lr := range p.LRs {
		lrs[i] = formatFloat(lr)
	}
	s := fmt.Sprintf("%s;grid=%d;long=%d;lrs=%s;batch=%d;check=%dx%d;target=%s;decrease=%sx%d;train=%d;val=%d;test=%d",
		protocolVersion, p.GridSteps, p.LongSteps, strings.Join(lrs, "/"), p.BatchSize, p.CheckEvery, p.CheckSize,
		formatFloat(p.Target), formatFloat(p.Decrease), p.MaxDecreases, p.TrainSize, p.ValSize, p.TestSize)
	if p.Sparsity {
		s += ";sparsity=" + sparsityVersion
	}
	if p.Replay != 0 {
		s += ";replay=" + p.Replay.protocolValue()
	}
	return s
}

// sparsityVersion names the sparsity regulariser and its schedule in the
// protocol string (";sparsity=mj2020", only when it is on, so that a
// protocol without it reads as before it existed).
const sparsityVersion = "mj2020"

// parseProtocol reads a Protocol back from its String form; it accepts only
// the exact form String writes, of this version.
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
		if err := p.setting(key, val); err != nil {
			return bad(err.Error())
		}
	}
	if p.String() != s {
		return bad("settings missing or not in their usual form")
	}
	return p, nil
}

// setting sets the protocol's setting key, as parseProtocol reads it, to
// its string form val.
func (p *Protocol) setting(key, val string) error {
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
	case "sparsity":
		if val != sparsityVersion {
			return fmt.Errorf("unknown sparsity regulariser %s (this version has %s)", val, sparsityVersion)
		}
		p.Sparsity = true
	case "replay":
		if p.Replay, err = parseReplayValue(val); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown setting %s", key)
	}
	if err != nil {
		return fmt.Errorf("malformed setting %s=%s", key, val)
	}
	return nil
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

// ---------------------------------------------------------------------------
// Rows and their columns.

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

	Network        string  // our name for the network, e.g. dense-2-relu
	Seed           uint64  // the experiment's seed
	ValAccuracy    float64 // validation accuracy of the chosen trial
	RecordAccuracy float64 // test: fraction of records with every element correct
	// Extrapolation is the chosen network's measure on each extrapolation
	// set (extrapolationSets, datasets.go): NaN where the dataset has no
	// such set, or the row was written before the sets existed.
	Extrapolation   [len(extrapolationSets)]extrapolationMeasure
	TotalSteps      int     // steps over all trials of the experiment
	Trials          int     // trainings, the long run included
	DivergedTrials  int     // trainings whose loss became NaN or infinite
	ChecksConfirmed int     // early-stopping checks the whole validation set confirmed (the training stopped)
	ChecksRejected  int     // checks whose subset passed and whole validation set did not (training went on)
	Chosen          string  // "grid" (a grid trial) or "long" (the long run); "" on error
	Excluded        bool    // the (task, dataset) pair is excluded from the analysis
	WallSeconds     float64 // wall time of the experiment
	Error           string  // why the experiment failed; "" when it ran
	Protocol        string  // Protocol.String() of the study that made the row
}

// extrapolationMeasure is a network's accuracy and mean squared error on
// one extrapolation set.
type extrapolationMeasure struct {
	Accuracy, MSE float64
}

// column is one column of the results file: its name in the header, how a
// row's cell is written, and how it is read back (an error says what is
// wrong with the cell). An optional column was added after results files
// existed: a file written before may lack it, and its rows read as if the
// cell were empty.
type column struct {
	name     string
	write    func(r *Row) string
	read     func(r *Row, cell string) error
	optional bool
}

// measureColumn builds an optional column of a float64 field that may be
// unmeasured: when measured(r) is false the cell is empty, and an empty
// cell reads as NaN (a measured NaN, an MSE that overflowed, is "NaN").
func measureColumn(name string, field func(r *Row) *float64, measured func(r *Row) bool) column {
	number := numberColumn(name, field)
	return column{name,
		func(r *Row) string {
			if !measured(r) {
				return ""
			}
			return number.write(r)
		},
		func(r *Row, c string) error {
			if c == "" {
				*field(r) = math.NaN()
				return nil
			}
			return number.read(r, c)
		},
		true}
}

// extrapolationColumns are the columns of the extrapolation sets:
// SET_accuracy and SET_mse for each set, in extrapolationSets' order.
func extrapolationColumns() []column {
	var cols []column
	for i, set := range extrapolationSets {
		// a set is measured when its accuracy is a number (a count ratio, never NaN when measured)
		measured := func(r *Row) bool { return !math.IsNaN(r.Extrapolation[i].Accuracy) }
		cols = append(cols,
			measureColumn(set.Name+"_accuracy", func(r *Row) *float64 { return &r.Extrapolation[i].Accuracy }, measured),
			measureColumn(set.Name+"_mse", func(r *Row) *float64 { return &r.Extrapolation[i].MSE }, measured))
	}
	return cols
}

// textColumn, countColumn, numberColumn build the columns of a string, a
// non-negative int and a float64 field.
func textColumn(name string, field func(r *Row) *string) column {
	return column{name,
		func(r *Row) string { return *field(r) },
		func(r *Row, c string) error { *field(r) = c; return nil }, false}
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
		}, false}
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
		}, false}
}

// resultsColumns is the results file's layout, the one place that knows it:
// the original's eleven columns first, in its order, then ours, the
// protocol last (a row cut short inside it is recognised as torn, see
// parseResults). The header, the writer (Row.fields) and the reader
// (parseRow) all come from it.
var resultsColumns = slices.Concat([]column{
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
		}, false},
	numberColumn("val_accuracy", func(r *Row) *float64 { return &r.ValAccuracy }),
	numberColumn("record_accuracy", func(r *Row) *float64 { return &r.RecordAccuracy }),
	countColumn("total_steps", func(r *Row) *int { return &r.TotalSteps }),
	countColumn("trials", func(r *Row) *int { return &r.Trials }),
	countColumn("diverged_trials", func(r *Row) *int { return &r.DivergedTrials }),
	countColumn("checks_confirmed", func(r *Row) *int { return &r.ChecksConfirmed }),
	countColumn("checks_rejected", func(r *Row) *int { return &r.ChecksRejected }),
	textColumn("chosen", func(r *Row) *string { return &r.Chosen }),
}, extrapolationColumns(), []column{
	{"excluded",
		func(r *Row) string { return strconv.FormatBool(r.Excluded) },
		func(r *Row, c string) error {
			v, err := strconv.ParseBool(c)
			if err != nil {
				return fmt.Errorf("excluded %q is not true or false", c)
			}
			r.Excluded = v
			return nil
		}, false},
	{"wall_seconds",
		func(r *Row) string { return strconv.FormatFloat(r.WallSeconds, 'f', 3, 64) },
		numberColumn("wall_seconds", func(r *Row) *float64 { return &r.WallSeconds }).read, false},
	textColumn("error", func(r *Row) *string { return &r.Error }),
	textColumn("protocol", func(r *Row) *string { return &r.Protocol }),
})

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
	r := Row{
		Task: e.Task.Name, Dataset: datasetNames[e.Dataset],
		NetworkType: string(e.Network.Type), NetworkDepth: e.Network.Depth, NetworkActivation: e.Network.Activation,
		Network: e.Network.Name, Seed: e.Seed, Excluded: e.Excluded(), Protocol: p.String(),
	}
	r.unmeasured()
	return r
}

// unmeasured marks every optional measure of r as not measured (NaN).
func (r *Row) unmeasured() {
	for i := range r.Extrapolation {
		r.Extrapolation[i] = extrapolationMeasure{math.NaN(), math.NaN()}
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
	for i, e := range c.Test.Extrapolation {
		r.Extrapolation[i] = extrapolationMeasure{e.Accuracy, e.Loss}
	}
	r.Chosen = "grid"
	if o.FromLong {
		r.Chosen = "long"
	}
}

// Key identifies the row's experiment (see Experiment.Key).
func (r Row) Key() string { return experimentKey(r.Task, r.Dataset, r.Network, r.Seed) }

// experiment returns the row's experiment. It needs a row parseRow has
// checked: an unknown name gives a zero part.
func (r Row) experiment() Experiment {
	t, _ := lookupTask(r.Task)
	d, _ := parseDataset(r.Dataset)
	n, _ := findNetwork(r.Network)
	return Experiment{Task: t, Dataset: d, Network: n, Seed: r.Seed}
}

// succeeded is the study's success rule: the experiment ran without an error
// and its test accuracy is at least target. The progress count and the
// report both use it.
func (r Row) succeeded(target float64) bool { return r.Error == "" && r.Accuracy >= target }

// testAccuracy is the row's test accuracy as the report averages it: 0 for
// an experiment that ended in an error (or, in a hand-edited file, whose
// accuracy is NaN), which counts as a failure.
func (r Row) testAccuracy() float64 {
	if r.Error != "" || math.IsNaN(r.Accuracy) {
		return 0
	}
	return r.Accuracy
}

// fields returns the row's cells in resultsColumns' order.
func (r Row) fields() []string {
	cells := make([]string, len(resultsColumns))
	for i, c := range resultsColumns {
		cells[i] = c.write(&r)
	}
	return cells
}

// parseRow reads a row from its cells, one per column of resultsColumns,
// checking every number and that the task, dataset and network are known.
func parseRow(f []string) (Row, error) { return parseRowColumns(resultsColumns, f) }

// parseRowColumns is parseRow for a file whose header has the columns
// cols (headerColumns): the optional columns it lacks read as not measured.
func parseRowColumns(cols []column, f []string) (Row, error) {
	if len(f) != len(cols) {
		return Row{}, fmt.Errorf("%d cells, want %d", len(f), len(cols))
	}
	var r Row
	r.unmeasured()
	for i, c := range cols {
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
	if _, err := findNetwork(r.Network); err != nil {
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

// utf8BOM is the byte-order mark some spreadsheets put at the start of a
// "CSV UTF-8" file; a results file may start with it.
const utf8BOM = "\ufeff"

// resultsContents is a results file's contents as parseResults reads them.
type resultsContents struct {
	rows      []Row
	lines     []int // lines[i] is the line of the file rows[i] starts on
	header    bool  // the header line is there (an empty file has none)
	oldHeader bool  // the header lacks optional columns: the file was written before they existed
	torn      int   // bytes at the end that are no complete row (an append cut short): not parsed
	noNewline bool  // the last line (header or row) is complete but has no newline at its end
}

// readResults parses a whole results file's contents: its rows and the
// length of a torn tail, ignored (see parseResults).
func readResults(data []byte) (rows []Row, torn int, err error) {
	c, err := parseResults(data, "")
	return c.rows, c.torn, err
}

// parseResults parses a whole results file's contents. A UTF-8 byte-order
// mark at the start is skipped. The last record is a torn tail, not parsed,
// when it is an append cut short: it does not end with a newline and is no
// complete row, or it ends inside a quoted cell. A last row without its
// newline is complete when its cells parse and its protocol is not a
// truncation of the row's before it (or, for a file's only row, of expect,
// the protocol the caller expects; "" for none): rows end with the protocol,
// so a row cut inside it still parses. Any other malformed line is an error
// naming its line number.
func parseResults(data []byte, expect string) (resultsContents, error) {
	var c resultsContents
	body := bytes.TrimPrefix(data, []byte(utf8BOM))
	if len(body) == 0 {
		return c, nil
	}
	endsLine := body[len(body)-1] == '\n'
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	cols, known := headerColumns(header)
	if err != nil || !known {
		if !bytes.ContainsRune(body, '\n') && bytes.HasPrefix(encodeRow(resultsHeader), body) {
			c.torn = len(body) // the header's own write was cut short
			return c, nil
		}
		if err != nil {
			return c, fmt.Errorf("line 1: not a results file (%v)", err)
		}
		return c, fmt.Errorf("line 1: not a reasonops results file (its header is %q)", truncate(strings.Join(header, ","), 80))
	}
	c.header, c.oldHeader = true, len(cols) < len(resultsColumns)
	ref := expect
	for {
		start := r.InputOffset()
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		last := r.InputOffset() == int64(len(body))
		if err != nil { // a csv.ParseError, which names its line
			if last && (!endsLine || errors.Is(err, csv.ErrQuote)) {
				c.torn = len(body) - int(start)
				break
			}
			return c, err
		}
		line, _ := r.FieldPos(0)
		row, err := parseRowColumns(cols, cells)
		if last && !endsLine && (err != nil || !completeProtocol(row.Protocol, ref)) {
			c.torn = len(body) - int(start)
			break
		}
		if err != nil {
			return c, fmt.Errorf("line %d: %v", line, err)
		}
		c.rows = append(c.rows, row)
		c.lines = append(c.lines, line)
		ref = row.Protocol
	}
	c.noNewline = c.torn == 0 && !endsLine
	return c, nil
}

// headerColumns returns the columns a results file's header names, and
// whether it is a results header: resultsHeader, or resultsHeader without
// some optional columns (a file written before they were added).
func headerColumns(header []string) ([]column, bool) {
	var cols []column
	i := 0
	for _, c := range resultsColumns {
		switch {
		case i < len(header) && header[i] == c.name:
			cols = append(cols, c)
			i++
		case !c.optional:
			return nil, false
		}
	}
	return cols, i == len(header)
}

// completeProtocol reports whether p, the protocol cell of a last row
// without its newline, is whole: it parses, and it is not a strict prefix
// of ref, the protocol the row is expected to have ("" for none).
func completeProtocol(p, ref string) bool {
	if _, err := parseProtocol(p); err != nil {
		return false
	}
	return !(len(p) < len(ref) && strings.HasPrefix(ref, p))
}

// ---------------------------------------------------------------------------
// One result per experiment.

// rowSet holds rows, each experiment once, with where each came from. A
// row that repeats a result already in the set (sameResult) is counted and
// dropped; a row that gives an experiment a different result is an error.
// Resume, the report and merge all read rows through it, so a conflict is
// refused the same way wherever it is found.
type rowSet struct {
	rows    []Row
	from    []string       // from[i] says where rows[i] was read: "FILE line N"
	byKey   map[string]int // Row.Key() -> its place in rows
	repeats int            // rows dropped as repeats
}

// newRowSet returns an empty set.
func newRowSet() *rowSet { return &rowSet{byKey: map[string]int{}} }

// addFile adds the rows of a file at path, read by parseResults.
func (s *rowSet) addFile(path string, c resultsContents) error {
	for i, r := range c.rows {
		if err := s.add(r, fmt.Sprintf("%s line %d", path, c.lines[i])); err != nil {
			return err
		}
	}
	return nil
}

// add adds r, read at where; its error, a setupError, names the experiment,
// both places and the cells that differ.
func (s *rowSet) add(r Row, where string) error {
	i, ok := s.byKey[r.Key()]
	if !ok {
		s.byKey[r.Key()] = len(s.rows)
		s.rows = append(s.rows, r)
		s.from = append(s.from, where)
		return nil
	}
	if !s.rows[i].sameResult(r) {
		return setupErrorf("experiment %s has two different results, at %s and at %s (%s)", r.Key(), s.from[i], where, rowDiff(s.rows[i], r))
	}
	for j, m := range r.Extrapolation { // a repeat may bring measures the kept row lacks (written before they existed)
		if math.IsNaN(s.rows[i].Extrapolation[j].Accuracy) && !math.IsNaN(m.Accuracy) {
			s.rows[i].Extrapolation[j] = m
		}
	}
	s.repeats++
	return nil
}

// rowDiff names the cells in which two rows of one experiment differ, as
// "accuracy 0.15 and 0.99; lr 0.1 and 1" (at most three).
func rowDiff(a, b Row) string {
	fa, fb := a.fields(), b.fields()
	var diffs []string
	for i, c := range resultsColumns {
		if fa[i] != fb[i] && c.name != "datetime" && c.name != "wall_seconds" && !(c.optional && (fa[i] == "" || fb[i] == "")) {
			diffs = append(diffs, fmt.Sprintf("%s %s and %s", c.name, truncate(fa[i], 40), truncate(fb[i], 40)))
		}
	}
	if len(diffs) > 3 {
		diffs = append(diffs[:3], "...")
	}
	return strings.Join(diffs, "; ")
}

// ---------------------------------------------------------------------------
// The results file, locked and opened for appending.

// resultsName is the results file of a whole study in its folder; a shard
// writes its own (see resultsPath).
const resultsName = "results.csv"

// setupError is a problem with the results file that the user can fix
// before any training starts: an unwritable folder, a file that is not a
// results file, a file of another protocol or with two results for one
// experiment, a file another process is writing.
type setupError struct{ msg string }

// Error returns the one-line message.
func (e setupError) Error() string { return e.msg }

// setupErrorf formats a setupError.
func setupErrorf(format string, args ...any) error { return setupError{fmt.Sprintf(format, args...)} }

// lockSuffix names a results file's lock file: results.csv.lock beside
// results.csv. The lock is the kernel's advisory lock on that file, held
// while its file descriptor is open (flock, lock_unix.go); the file's text
// names the holder, for the message of a process that is refused. It is
// never removed: removing it would let two processes lock two different
// files of one name.
const lockSuffix = ".lock"

// resultsLock is an exclusive lock on a results file, held from lockResults
// until release.
type resultsLock struct{ f *os.File }

// processLine describes this process for the lock file and for messages:
// its PID, start time and command.
func processLine(command string, started time.Time) string {
	return holderLine(os.Getpid(), command, started)
}

// holderLine is the lock file's text for the process pid, started at
// started with command (processLine for this one).
func holderLine(pid int, command string, started time.Time) string {
	return fmt.Sprintf("pid %d, started %s, command: %s", pid, started.Format(datetimeLayout), command)
}

// lockResults takes the exclusive lock on the results file at path, and
// writes holder (see processLine) into its lock file. If another process
// holds it, the error (a setupError) names that process. Where the
// operating system has no lock (locksWork is false) it always succeeds.
func lockResults(path, holder string) (*resultsLock, error) {
	f, err := os.OpenFile(path+lockSuffix, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, setupErrorf("cannot create the lock file of %s: %v", path, err)
	}
	locked, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, setupErrorf("cannot lock %s: %v", path, err)
	}
	if !locked {
		other, _ := io.ReadAll(io.LimitReader(f, 1000))
		f.Close()
		who := strings.TrimSpace(string(other))
		if who == "" {
			who = "its details not written yet"
		}
		return nil, setupErrorf("%s is in use by another reasonops process (%s): wait for it to end, or give this one another -out folder", path, who)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(holder+"\n"), 0) // only for messages: a failure here leaves the lock intact
	}
	return &resultsLock{f}, nil
}

// lockHolder returns the process holding the lock of the results file at
// path ("" when none does, or when path has no lock file).
func lockHolder(path string) string {
	f, err := os.OpenFile(path+lockSuffix, os.O_RDWR, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	if locked, err := tryLock(f); err != nil || locked {
		return "" // closing f releases the lock just taken
	}
	other, _ := io.ReadAll(io.LimitReader(f, 1000))
	if who := strings.TrimSpace(string(other)); who != "" {
		return who
	}
	return "a reasonops process"
}

// release empties the lock file and releases the lock.
func (l *resultsLock) release() {
	l.f.Truncate(0)
	l.f.Close()
}

// resultsFile is an open results file that rows are appended to; this
// process holds its lock.
type resultsFile struct {
	path string
	f    *os.File // opened with O_APPEND: every write lands at the end, whole
	lock *resultsLock
	rows []Row           // the rows found on opening, each experiment once
	done map[string]bool // keys of the experiments in the file
	// What opening did to the file, for the messages: a torn last line
	// moved to tornTo (tornBytes long), a newline added after a last row
	// that lacked one, rows repeating an experiment (kept in the file,
	// counted once).
	tornTo      string
	tornBytes   int
	newlineSet  bool
	repeatedRow int
	upgraded    bool // the file was written before today's optional columns, and rewritten with them (upgradeResults)
}

// openResults takes the lock on the results file at path (holder names
// this process, see processLine) and opens the file for appending, creating
// it (and its folder) with a header if it does not exist. An existing file
// is read first: its rows' experiments count as done; a torn last line is
// moved to a file beside it (see moveTornTail) and cut off; a complete last
// row without its newline gets one; a file written before today's optional
// columns is rewritten with them (upgradeResults). A file another process holds, a file
// whose rows were made under another protocol, or with two different
// results for one experiment, is refused without being modified; so is a
// file that is not a results file.
func openResults(path, protocol, holder string) (*resultsFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, setupErrorf("cannot create the output folder: %v", err)
	}
	lock, err := lockResults(path, holder)
	if err != nil {
		return nil, err
	}
	rf := &resultsFile{path: path, lock: lock, done: map[string]bool{}}
	if err := rf.open(protocol); err != nil {
		if rf.f != nil {
			rf.f.Close()
		}
		lock.release()
		return nil, err
	}
	return rf, nil
}

// open reads the file, checks its rows against protocol, repairs its end
// and opens it for appending.
func (rf *resultsFile) open(protocol string) error {
	data, err := os.ReadFile(rf.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return setupErrorf("cannot read %s: %v", rf.path, err)
	}
	c, err := parseResults(data, protocol)
	if err != nil {
		return setupErrorf("%s: %v", rf.path, err)
	}
	set := newRowSet()
	for _, r := range c.rows {
		if r.Protocol != protocol {
			return setupErrorf("%s holds results of another protocol (%s): use another -out folder or the same settings",
				rf.path, protocolDiff(r.Protocol, protocol))
		}
	}
	if err := set.addFile(rf.path, c); err != nil {
		return setupErrorf("%v: keep the right row and delete the other, or give this study another -out folder", err)
	}
	rf.rows, rf.repeatedRow = set.rows, set.repeats
	for _, r := range set.rows {
		rf.done[r.Key()] = true
	}
	size := len(data) - c.torn
	if c.torn > 0 {
		if rf.tornTo, err = moveTornTail(rf.path, data[size:]); err != nil {
			return err
		}
		rf.tornBytes = c.torn
		if err := os.Truncate(rf.path, int64(size)); err != nil {
			return setupErrorf("cannot cut the torn last line off %s (it is saved in %s): %v", rf.path, rf.tornTo, err)
		}
	}
	if c.oldHeader {
		if err := upgradeResults(rf.path, c.rows); err != nil {
			return setupErrorf("cannot add the new columns to %s (its rows are as they were): %v", rf.path, err)
		}
		rf.upgraded, c.noNewline = true, false
	}
	if rf.f, err = os.OpenFile(rf.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
		return setupErrorf("cannot write %s: %v", rf.path, err)
	}
	var start []byte
	switch {
	case !c.header:
		start = encodeRow(resultsHeader)
	case c.noNewline:
		start, rf.newlineSet = []byte("\n"), true
	}
	if len(start) > 0 {
		if _, err := rf.f.Write(start); err != nil {
			return setupErrorf("cannot write %s: %v", rf.path, err)
		}
	}
	if err := rf.f.Sync(); err != nil {
		return setupErrorf("cannot write %s: %v", rf.path, err)
	}
	return nil
}

// upgradeResults rewrites the results file at path, whose header lacks
// optional columns (a file written before they existed), with today's
// header: its rows, in order, each cell as it was, the new columns empty
// (not measured). The file is replaced atomically (writeFileAtomic).
func upgradeResults(path string, rows []Row) error {
	var buf bytes.Buffer
	buf.Write(encodeRow(resultsHeader))
	for _, r := range rows {
		buf.Write(encodeRow(r.fields()))
	}
	return writeFileAtomic(path, buf.Bytes())
}

// moveTornTail saves tail, the torn end of the results file at path, to a
// new file beside it, path.torn-YYYYMMDD-HHMMSS (a number added if that
// exists), synced before the caller cuts the tail off; it returns the new
// file's path. Nothing is deleted without a copy.
func moveTornTail(path string, tail []byte) (string, error) {
	base := path + ".torn-" + time.Now().Format("20060102-150405")
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", setupErrorf("cannot save the torn last line of %s: %v", path, err)
		}
		_, err = f.Write(tail)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", setupErrorf("cannot save the torn last line of %s: %v", path, err)
		}
		return name, nil
	}
}

// Has reports whether the experiment with this key is in the file.
func (rf *resultsFile) Has(key string) bool { return rf.done[key] }

// Append writes row as one line with a single write, at the end of the
// file whatever else writes to it (O_APPEND), and syncs it to disk.
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

// Close closes the file and releases its lock.
func (rf *resultsFile) Close() error {
	err := rf.f.Close()
	rf.lock.release()
	return err
}

// ---------------------------------------------------------------------------
// The run log: facts about each invocation of the study, beside the results.

// runsLogName is the file in the output folder that gets one JSON line per
// invocation of the study; the report reads it for the run's facts.
const runsLogName = "runs.jsonl"

// Invocation is one invocation of the study: what was run, where, how
// long. It writes two lines of the run log: an open one (Open set, only
// what is known at the start) when it begins to compute, and the whole
// record when it ends, with the same Started and Command. An open line that
// no record closes is an invocation killed before it could log (SIGKILL, a
// machine that went down): readInvocations gives it Killed, and the report
// counts it without a wall time, rather than losing it. The JSON names are
// the log's, kept as they are so that every log written so far still reads.
type Invocation struct {
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	Command     string    `json:"command"`              // as invoked, e.g. "go run . -quick" or "./reasonops -quick"
	GoVersion   string    `json:"go"`                   // runtime.Version()
	Kernel      string    `json:"kernel"`               // the matrix kernels in use, e.g. "plain Go" or "AVX-512"
	CPU         string    `json:"cpu"`                  // the CPU model, from /proc/cpuinfo where there is one
	CPUs        int       `json:"cpus"`                 // runtime.NumCPU()
	Workers     int       `json:"workers"`              // trainings in parallel: -workers, capped at the experiments left
	Selected    int       `json:"selected"`             // experiments the flags selected
	Ran         int       `json:"ran"`                  // experiments this invocation finished and wrote
	Interrupted bool      `json:"interrupted"`          // stopped by a signal before the end
	StoppedBy   string    `json:"stopped_by,omitempty"` // the signal that stopped it: SIGINT, SIGTERM or SIGHUP
	WallSeconds float64   `json:"wall_seconds"`         // Finished - Started
	Open        bool      `json:"open,omitempty"`       // the line written at the start; the record at the end closes it
	PID         int       `json:"pid,omitempty"`        // its process, to tell from the lock whether it still runs
	Results     string    `json:"results,omitempty"`    // the results file it wrote, in the log's folder: results.csv or a shard's
	Killed      bool      `json:"-"`                    // read from an open line nothing closed: ended without a record
	Running     bool      `json:"-"`                    // read from an open line nothing closed, and its process still holds its results file's lock
}

// closed returns the record that closes the open line inv, for an
// invocation that ended at finished, its sweep's last progress being last
// (Ran counts the experiments it added), stopped by the signal sig if
// stopped.
func (inv Invocation) closed(finished time.Time, last Progress, sig string, stopped bool) Invocation {
	inv.Open, inv.Finished, inv.Ran, inv.Interrupted, inv.StoppedBy = false, finished, last.Done-last.Skipped, stopped, sig
	inv.WallSeconds = finished.Sub(inv.Started).Seconds()
	return inv
}

// closes reports whether the record inv ends the invocation of the open
// line o.
func (inv Invocation) closes(o Invocation) bool {
	return !inv.Open && o.Open && inv.Started.Equal(o.Started) && inv.Command == o.Command
}

// appendInvocation adds inv as one line to DIR/runs.jsonl, with a single
// write in append mode (shards in one folder may log at the same time),
// after a newline if the file's last line was torn (so that the torn line
// does not swallow this one).
func appendInvocation(dir string, inv Invocation) error {
	line, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, runsLogName), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	last := []byte{'\n'}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		f.ReadAt(last, st.Size()-1)
	}
	if last[0] != '\n' {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readInvocations reads DIR/runs.jsonl, one Invocation per invocation in
// the order they started: a record that closes an open line takes its
// place; an open line nothing closes is read as running if its process
// still holds the lock of its results file, else as killed (Interrupted
// and Killed, wall time and experiments unknown); an invocation that ended
// having added no experiment is left out, as it computed nothing. A
// missing file gives none, and lines that do not parse (a torn last line,
// say) are skipped.
func readInvocations(dir string) []Invocation {
	data, err := os.ReadFile(filepath.Join(dir, runsLogName))
	if err != nil {
		return nil
	}
	var invs []Invocation
	for _, line := range bytes.Split(data, []byte("\n")) {
		var inv Invocation
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &inv) != nil {
			continue
		}
		if i := slices.IndexFunc(invs, inv.closes); i >= 0 {
			invs[i] = inv
			continue
		}
		invs = append(invs, inv)
	}
	for i := range invs {
		inv := &invs[i]
		if !inv.Open {
			continue
		}
		inv.Open = false
		if inv.PID != 0 && inv.Results != "" && lockHolder(filepath.Join(dir, inv.Results)) == holderLine(inv.PID, inv.Command, inv.Started) {
			inv.Running = true
		} else {
			inv.Killed, inv.Interrupted = true, true
		}
	}
	return slices.DeleteFunc(invs, func(inv Invocation) bool { return !inv.Killed && !inv.Running && inv.Ran == 0 })
}

// ---------------------------------------------------------------------------
// Merging shard files.

// sameResult reports whether two rows hold the same result: every cell
// equal apart from the datetime and wall time, which vary between runs,
// and optional measures one of the two rows lacks (written before the
// measure existed).
func (r Row) sameResult(o Row) bool {
	fr, fo := r.fields(), o.fields()
	for i, c := range resultsColumns {
		switch {
		case c.name == "datetime" || c.name == "wall_seconds":
		case c.optional && (fr[i] == "" || fo[i] == ""): // not measured in one of them
		case fr[i] != fo[i]:
			return false
		}
	}
	return true
}

// MergeSummary says what mergeResults did.
type MergeSummary struct {
	Rows       int             // rows in the merged file
	Duplicates int             // rows dropped because an equal row was already in
	Torn       []string        // inputs whose torn last line was ignored, with its length: "FILE (N bytes)"
	TornTo     string          // where the torn last line of the output itself was saved ("" if it had none)
	Writing    []string        // inputs a running study still appends to: "FILE (pid ...)"
	Protocol   Protocol        // the protocol of every row
	Seeds      []uint64        // the seeds of the rows, ascending
	Done       map[string]bool // the keys of the rows' experiments
}

// mergeResults merges the rows of the results files inputs, and of out
// itself if it exists, into out, holding out's lock (holder names this
// process) from before it reads out until out is replaced. All rows must
// come from one protocol (same settings; any seeds), and from protocol if
// it is not "" (the one the command line asked for); a row repeated exactly
// is kept once; two rows of one experiment that disagree are refused,
// whether in one file or two. Rows are written in stable index order (seed
// first, see compareExperiments) to a temporary file that replaces out only
// when complete, so a refused or failed merge modifies nothing; a torn last
// line of out is saved beside it first.
func mergeResults(out string, inputs []string, protocol, holder string) (MergeSummary, error) {
	sum := MergeSummary{Done: map[string]bool{}}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return sum, setupErrorf("cannot create the output folder: %v", err)
	}
	lock, err := lockResults(out, holder)
	if err != nil {
		return sum, err
	}
	defer lock.release()
	if _, err := os.Stat(out); err == nil && !slices.ContainsFunc(inputs, func(in string) bool { return sameFile(in, out) }) {
		inputs = append([]string{out}, inputs...)
	}
	rows, outTorn, err := gatherRows(out, inputs, &sum)
	if err != nil {
		return sum, err
	}
	if protocol != "" && rows[0].Protocol != protocol {
		return sum, setupErrorf("the files hold results of another protocol than the flags ask for (%s): leave out -quick, -grid-steps, -long-steps, -protocol and -replay to merge the files' own",
			protocolDiff(rows[0].Protocol, protocol))
	}
	if sum.Protocol, err = parseProtocol(rows[0].Protocol); err != nil {
		return sum, setupError{err.Error()}
	}
	slices.SortFunc(rows, func(a, b Row) int { return compareExperiments(a.experiment(), b.experiment()) })
	var buf bytes.Buffer
	buf.Write(encodeRow(resultsHeader))
	for _, r := range rows {
		buf.Write(encodeRow(r.fields()))
		if len(sum.Seeds) == 0 || sum.Seeds[len(sum.Seeds)-1] != r.Seed {
			sum.Seeds = append(sum.Seeds, r.Seed)
		}
	}
	if len(outTorn) > 0 {
		if sum.TornTo, err = moveTornTail(out, outTorn); err != nil {
			return sum, err
		}
	}
	if err := writeFileAtomic(out, buf.Bytes()); err != nil {
		return sum, err
	}
	sum.Rows = len(rows)
	return sum, nil
}

// gatherRows reads the rows of every input, in order, into one list with
// each experiment once, and counts into sum the torn lines, the exact
// repeats dropped, the inputs still being written and the experiments'
// keys; outTorn is the torn tail of out, if out is an input. It refuses
// rows of different protocols, two different results of one experiment,
// and no rows at all.
func gatherRows(out string, inputs []string, sum *MergeSummary) (rows []Row, outTorn []byte, err error) {
	set := newRowSet()
	protocol, protocolFrom := "", ""
	for _, in := range inputs {
		isOut := sameFile(in, out)
		if !isOut {
			if who := lockHolder(in); who != "" {
				sum.Writing = append(sum.Writing, fmt.Sprintf("%s (%s)", in, who))
			}
		}
		data, err := os.ReadFile(in)
		if err != nil {
			return nil, nil, setupErrorf("cannot read %s: %v", in, err)
		}
		c, err := parseResults(data, protocol)
		if err != nil {
			return nil, nil, setupErrorf("%s: %v", in, err)
		}
		if c.torn > 0 {
			if isOut {
				outTorn = data[len(data)-c.torn:]
			} else {
				sum.Torn = append(sum.Torn, fmt.Sprintf("%s (%d bytes)", in, c.torn))
			}
		}
		for i, r := range c.rows {
			if protocol == "" {
				protocol, protocolFrom = r.Protocol, in
			}
			if r.Protocol != protocol {
				return nil, nil, setupErrorf("%s and %s line %d come from different protocols (%s): refusing to merge them",
					protocolFrom, in, c.lines[i], protocolDiff(protocol, r.Protocol))
			}
		}
		if err := set.addFile(in, c); err != nil {
			return nil, nil, setupErrorf("%v: refusing to merge", err)
		}
	}
	if len(set.rows) == 0 {
		return nil, nil, setupErrorf("no results in %s: nothing to merge", strings.Join(inputs, ", "))
	}
	sum.Duplicates = set.repeats
	for _, r := range set.rows {
		sum.Done[r.Key()] = true
	}
	return set.rows, outTorn, nil
}

// sameFile reports whether paths a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it,
// and renames it over path: readers see the old file or the new one, whole,
// and a write that fails (a full disk, say) leaves the old file as it was.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return setupErrorf("cannot create the output folder: %v", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", filepath.Dir(path), err)
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot sync %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return os.Rename(f.Name(), path)
}

// ---------------------------------------------------------------------------
// Text the results file, the command line and the report share.

// formatFloat formats x in the shortest form that reads back exactly.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// formatDuration prints d as h:mm:ss.
func formatDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
