// report_svg.go: the report's SVG charts, plain SVG 1.1 with no script and
// fonts by generic family: a task x network heat map per dataset and the
// bar chart of success per network. It only draws what the other report
// files compute.
package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// blues is ColorBrewer's 9-class "Blues" ramp (Cynthia Brewer,
// colorbrewer2.org), light to dark: lightness falls steadily with the value,
// so it reads in grey too.
var blues = [...][3]float64{
	{247, 251, 255}, {222, 235, 247}, {198, 219, 239}, {158, 202, 225}, {107, 174, 214},
	{66, 146, 198}, {33, 113, 181}, {8, 81, 156}, {8, 48, 107},
}

// ninesMax is the top of the heat maps' scale: -log10(1 - accuracy) is
// drawn up to 3 (99.9%), so that 95%, 98%, 99% and 100% get clearly
// different colours where a linear scale would make them one.
const ninesMax = 3

// nines returns accuracy v's place on the heat maps' scale in [0, 1]:
// -log10(1 - v) / ninesMax, clamped; 0.9 -> 1/3, 0.99 -> 2/3, 0.999 or
// more -> 1.
func nines(v float64) float64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	if v >= 1 {
		return 1
	}
	return max(0, min(1, -math.Log10(1-v)/ninesMax))
}

// rampColour returns the colour of x in [0, 1] (clamped), interpolated
// linearly between the ramp's neighbouring stops.
func rampColour(v float64) string {
	if math.IsNaN(v) {
		v = 0
	}
	v = max(0, min(1, v))
	x := v * float64(len(blues)-1)
	i := min(int(x), len(blues)-2)
	f := x - float64(i)
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(blues[i][k]*(1-f) + blues[i+1][k]*f))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

// textColour returns black or white, whichever reads on rampColour(v).
func textColour(v float64) string {
	if v >= 0.6 {
		return "#fff"
	}
	return "#000"
}

// esc escapes s for XML text and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// Heat map geometry, in pixels.
const (
	hmCellW, hmCellH = 32, 26   // one cell: the accuracy, and below it k/n with several seeds
	hmLeft, hmTop    = 125, 175 // the grid's top-left corner: room for task names and rotated network names
	hmLegendW        = 860      // the narrowest map that shows the whole legend (few networks)
)

// Heat map marks.
const (
	successStroke = "#f2b701" // the outline of a cell where every seed succeeded
	trivialFill   = "#d9d9d9" // a cell whose test sets a trivial predictor passes
)

// heatmapSVG draws dataset's task x network heat map: a row per task (the
// paper's, then others with runs, in tasks order), a column per network
// (the paper's, then others with runs, in networks order; in a study that
// ran units beyond the paper, only the networks with runs), each cell one rect of
// class "cell" (plus "excluded", "missing", "trivial" or "success"), and a
// legend below. Colour is the mean accuracy on the nines scale; a gold
// outline marks a cell where every seed succeeded; a trivially passable
// cell is grey with a diagonal stroke, whatever its accuracy.
func heatmapSVG(s *study, dataset string) string {
	return heatmapTitled(s, dataset, "Test accuracy (%) on "+dataset)
}

// heatmapTitled is heatmapSVG with its title given (the seeds' note is
// added to it): the extrapolation maps show other accuracies the same way.
func heatmapTitled(s *study, dataset, title string) string {
	cells := cellStats(s.analysed, s.target)
	ranNet, ranTask := map[string]bool{}, map[string]bool{}
	for _, r := range s.analysed {
		ranNet[r.Network], ranTask[r.Task] = true, true
	}
	columns := paperThenRan(networks, len(paperNetworks), func(n NetworkSpec) bool { return ranNet[n.Name] })
	if len(unitNetworks(s.analysed)) > 0 { // a units study: its anchors are the only paper networks it selects
		columns = slices.DeleteFunc(columns, func(n NetworkSpec) bool { return !ranNet[n.Name] })
	}
	rows := paperThenRan(tasks, len(paperTasks), func(t Task) bool { return ranTask[t.Name] })
	gridW, gridH := len(columns)*hmCellW, len(rows)*hmCellH
	width, height := max(hmLeft+gridW+20, hmLegendW), hmTop+gridH+150
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>.v{font-size:10px;text-anchor:middle} .k{font-size:8px;text-anchor:middle} .ok{font-weight:bold} .col{font-size:10px} .row{font-size:11px;text-anchor:end} .key{font-size:11px}</style>
<defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f0f0f0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/></pattern>
<linearGradient id="ramp">`, width, height, width, height)
	for i := range blues {
		v := float64(i) / float64(len(blues)-1)
		fmt.Fprintf(&b, `<stop offset="%g" stop-color="%s"/>`, v, rampColour(v))
	}
	b.WriteString("</linearGradient>\n</defs>\n")
	seedNote := ""
	if len(s.seeds) > 1 {
		seedNote = fmt.Sprintf(", mean over %d seeds; below it, seeds that succeeded", len(s.seeds))
	}
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">%s%s</text>`+"\n", esc(title), seedNote)
	for j, spec := range columns {
		x := hmLeft + j*hmCellW + hmCellW/2 + 3
		fmt.Fprintf(&b, `<text class="col" transform="translate(%d,%d) rotate(-90)">%s</text>`+"\n", x, hmTop-6, esc(spec.Name))
	}
	for i, t := range rows {
		y := hmTop + i*hmCellH
		trivial := exclusionReason(t.Name, dataset) == "" && s.trivialPair(t.Name, dataset)
		mark := ""
		if pb := s.pairBaseline(t.Name, dataset); exclusionReason(t.Name, dataset) == "" && pb.Passable.k > 0 && pb.Passable.k < pb.Passable.n {
			mark = fmt.Sprintf(`<tspan fill="#888"> *</tspan><title>a trivial predictor passes %d of this row's %d test sets</title>`, pb.Passable.k, pb.Passable.n)
		}
		fmt.Fprintf(&b, `<text class="row" x="%d" y="%d">%s%s</text>`+"\n", hmLeft-6, y+hmCellH/2+4, esc(t.Name), mark)
		for j, spec := range columns {
			x := hmLeft + j*hmCellW
			heatmapCell(&b, x, y, t.Name, dataset, spec.Name, cells[cellID{t.Name, dataset, spec.Name}], trivial, len(s.seeds) > 1, s.target)
		}
	}
	heatmapLegend(&b, hmTop+gridH+30, s.target)
	b.WriteString("</svg>\n")
	return b.String()
}

// heatmapLegend draws the colour scale with its nines ticks, and a key to
// the marks, from height y down.
func heatmapLegend(b *strings.Builder, y int, target float64) {
	const scaleW = 360
	fmt.Fprintf(b, `<text class="key" x="%d" y="%d">accuracy</text>`+"\n", hmLeft-6-55, y+11)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="14" fill="url(#ramp)" stroke="#999"/>`+"\n", hmLeft, y, scaleW)
	for _, v := range []float64{0, 0.5, 0.9, 0.95, 0.98, 0.99, 0.999} {
		x := hmLeft + int(math.Round(nines(v)*scaleW))
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555"/><text class="key" x="%d" y="%d" text-anchor="middle">%s</text>`+"\n",
			x, y+14, x, y+18, x, y+30, formatFloat(100*v))
	}
	fmt.Fprintf(b, `<text class="key" x="%d" y="%d">%% (scale: -log10(1 - accuracy), so each 9 gets the same room)</text>`+"\n", hmLeft+scaleW+10, y+11)
	ky := y + 48
	key := func(x int, mark, text string) {
		fmt.Fprintf(b, `%s<text class="key" x="%d" y="%d">%s</text>`+"\n", mark, x+hmCellW+6, ky+16, text)
	}
	key(hmLeft, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="2.5"/>`,
		hmLeft+1, ky+1, hmCellW-2, hmCellH-2, rampColour(1), successStroke), fmt.Sprintf("every seed succeeded (&gt;= %s%%)", formatFloat(100*target)))
	kx := hmLeft + 230
	key(kx, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`,
		kx, ky, hmCellW, hmCellH, trivialFill, kx, ky+hmCellH, kx+hmCellW, ky), "a trivial predictor passes: shows nothing")
	kx += 270
	key(kx, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/>`, kx, ky, hmCellW, hmCellH), "excluded pair")
	kx += 140
	key(kx, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#ccc"/><text class="v" x="%d" y="%d" fill="#999">–</text>`,
		kx, ky, hmCellW, hmCellH, kx+hmCellW/2, ky+hmCellH/2+4), "not run")
	ky += hmCellH + 8
	key(hmLeft, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="2" stroke-dasharray="4,3"/>`,
		hmLeft+1, ky+1, hmCellW-2, hmCellH-2, rampColour(nines(0.99)), successStroke), "some seeds succeeded, not all")
	kx = hmLeft + 230
	key(kx, fmt.Sprintf(`<text class="row" x="%d" y="%d" fill="#888">task *</text>`, kx+hmCellW, ky+hmCellH/2+4),
		"a trivial predictor passes some of the task's test sets (their runs are not informative)")
}

// heatmapCell draws one heat-map cell at (x, y): its rect, a tooltip, the
// mean accuracy (rounded down) and, with several seeds, k/n seeds that
// succeeded. c is nil for a cell not run; trivial marks a trivially
// passable cell.
func heatmapCell(b *strings.Builder, x, y int, task, dataset, network string, c *cellStat, trivial, seeds bool, target float64) {
	cx := x + hmCellW/2
	label := fmt.Sprintf("%s × %s on %s", task, network, dataset)
	b.WriteString("<g>")
	defer b.WriteString("</g>\n")
	if c == nil || exclusionReason(task, dataset) != "" {
		heatmapEmptyCell(b, x, y, label, exclusionReason(task, dataset), trivial)
		return
	}
	acc := c.AccSum / float64(c.Success.n)
	class, fill, colour, stroke := "cell", rampColour(nines(acc)), textColour(nines(acc)), `stroke="#fff"`
	text := strconv.Itoa(int(math.Floor(acc*100 + 1e-7)))
	if trivial {
		class, fill, colour = "cell trivial", trivialFill, "#666"
	}
	allOK := c.Success.k == c.Success.n
	someOK := c.Success.k > 0 && !allOK
	switch {
	case allOK && !trivial:
		class += " success"
		stroke = fmt.Sprintf(`stroke="%s" stroke-width="2.5"`, successStroke)
	case someOK && !trivial:
		class += " partial"
		stroke = fmt.Sprintf(`stroke="%s" stroke-width="2" stroke-dasharray="4,3"`, successStroke)
	}
	if c.Errors > 0 {
		class += " error"
	}
	if c.Errors == c.Success.n {
		text, colour = "err", "#c00"
	}
	fmt.Fprintf(b, `<title>%s: %s, %d of %d seeds succeeded`, esc(label), pct(acc), c.Success.k, c.Success.n)
	if c.Errors > 0 {
		fmt.Fprintf(b, ", %d ended in an error", c.Errors)
	}
	if trivial {
		b.WriteString("; a trivial predictor passes this test set, so a success shows nothing")
	}
	inset := 0
	if (allOK || someOK) && !trivial {
		inset = 1 // keep the thick outline inside the cell
	}
	fmt.Fprintf(b, `</title><rect class="%s" x="%d" y="%d" width="%d" height="%d" fill="%s" %s/>`,
		class, x+inset, y+inset, hmCellW-2*inset, hmCellH-2*inset, fill, stroke)
	if trivial {
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, x, y+hmCellH, x+hmCellW, y)
	}
	bold := ""
	if allOK {
		bold = " ok"
	}
	ty := y + hmCellH/2 + 4
	if seeds {
		ty = y + 11
		fmt.Fprintf(b, `<text class="k" x="%d" y="%d" fill="%s">%d/%d</text>`, cx, y+22, colour, c.Success.k, c.Success.n)
	}
	fmt.Fprintf(b, `<text class="v%s" x="%d" y="%d" fill="%s">%s</text>`, bold, cx, ty, colour, text)
}

// heatmapEmptyCell draws a heat-map cell without runs at (x, y), with
// tooltip label: hatched when the pair is excluded (the reason given),
// else blank (grey when trivial) with a dash.
func heatmapEmptyCell(b *strings.Builder, x, y int, label, excluded string, trivial bool) {
	if excluded != "" {
		fmt.Fprintf(b, `<title>%s: excluded (%s)</title><rect class="cell excluded" x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/>`,
			esc(label), esc(excluded), x, y, hmCellW, hmCellH)
		return
	}
	class, fill, note := "cell missing", "#fff", ""
	if trivial {
		class, fill, note = "cell missing trivial", trivialFill, "; a trivial predictor passes this test set"
	}
	fmt.Fprintf(b, `<title>%s: not run%s</title><rect class="%s" x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ddd"/><text class="v" x="%d" y="%d" fill="#999">–</text>`,
		esc(label), note, class, x, y, hmCellW, hmCellH, fill, x+hmCellW/2, y+hmCellH/2+4)
}

// summaryChartSVG draws one horizontal bar (rect class "bar") per network,
// ranked as in the report's summary: the bar is the success rate on the
// informative runs, the whisker its 95% interval, the text after it the
// counts, the strict metric and the mean lift.
func summaryChartSVG(sums []networkSummary, target float64) string {
	const rowH, left, barW, top = 22, 185, 400, 50
	width, height := left+barW+300, top+len(sums)*rowH+40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>text{font-size:12px} .name{text-anchor:end} .axis{font-size:10px;text-anchor:middle;fill:#555}</style>
<text x="10" y="20" font-size="15" font-weight="bold">Success rate on informative runs (test accuracy &gt;= %s%%), with 95%% intervals, best first</text>
`, width, height, width, height, formatFloat(100*target))
	axisY := top + len(sums)*rowH
	for _, v := range []int{0, 25, 50, 75, 100} {
		x := left + v*barW/100
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text class="axis" x="%d" y="%d">%d%%</text>`+"\n",
			x, top-6, x, axisY+4, x, axisY+16, v)
	}
	for i, n := range sums {
		ri := n.Informative
		y := top + i*rowH
		w := ri.Rate * barW
		if math.IsNaN(w) {
			w = 0
		}
		fmt.Fprintf(&b, `<text class="name" x="%d" y="%d">%s</text>`, left-8, y+rowH/2+4, esc(n.Name))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="#6baed6"><title>%s: %s [%s, %s]</title></rect>`,
			left, y+4, w, rowH-8, esc(n.Name), pct(ri.Rate), pct(ri.Lo), pctUp(ri.Hi))
		if ri.Runs > 0 && !math.IsNaN(ri.Lo) {
			lo, hi := float64(left)+ri.Lo*barW, float64(left)+ri.Hi*barW
			fmt.Fprintf(&b, `<line class="interval" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#08306b" stroke-width="1.5"/>`, lo, y+rowH/2, hi, y+rowH/2)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#08306b"/><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#08306b"/>`,
				lo, y+6, lo, y+rowH-6, hi, y+6, hi, y+rowH-6)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d/%d (%s), strict %s, lift %+.1f pp</text>`+"\n",
			left+barW+8, y+rowH/2+4, ri.Successes, ri.Runs, pct(ri.Rate), pct(n.Strict.rate()), 100*n.MeanLift)
	}
	b.WriteString("</svg>\n")
	return b.String()
}
