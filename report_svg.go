// report_svg.go: the report's SVG charts, plain SVG 1.1 with no script and
// fonts by generic family: a task x network heat map per dataset and the
// bar chart of success per network. It only draws what the other report
// files compute.
package main

import (
	"fmt"
	"math"
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

// rampColour returns the colour of accuracy v in [0, 1] (clamped),
// interpolated linearly between the ramp's neighbouring stops.
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
	hmCellW, hmCellH = 30, 20   // one cell
	hmLeft, hmTop    = 125, 175 // the grid's top-left corner: room for task names and rotated network names
)

// heatmapSVG draws dataset's task x network heat map: a row per task (tasks
// order), a column per network (networkSpecs order), each cell one rect of
// class "cell" (plus "excluded" or "missing"), and a legend below.
func heatmapSVG(s *study, dataset string) string {
	cells := cellStats(s.analysed, s.target)
	gridW, gridH := len(networks)*hmCellW, len(tasks)*hmCellH
	width, height := hmLeft+gridW+20, hmTop+gridH+110
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>.v{font-size:9px;text-anchor:middle} .ok{font-weight:bold} .col{font-size:10px} .row{font-size:11px;text-anchor:end} .key{font-size:11px}</style>
<defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e3e3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/></pattern>
<linearGradient id="ramp">`, width, height, width, height)
	for i := range blues {
		v := float64(i) / float64(len(blues)-1)
		fmt.Fprintf(&b, `<stop offset="%g" stop-color="%s"/>`, v, rampColour(v))
	}
	b.WriteString("</linearGradient>\n</defs>\n")
	seedNote := ""
	if len(s.seeds) > 1 {
		seedNote = fmt.Sprintf(", mean over %d seeds", len(s.seeds))
	}
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">Test accuracy (%%) on %s%s</text>`+"\n", esc(dataset), seedNote)
	for j, spec := range networks {
		x := hmLeft + j*hmCellW + hmCellW/2 + 3
		fmt.Fprintf(&b, `<text class="col" transform="translate(%d,%d) rotate(-90)">%s</text>`+"\n", x, hmTop-6, esc(spec.Name))
	}
	for i, t := range tasks {
		y := hmTop + i*hmCellH
		fmt.Fprintf(&b, `<text class="row" x="%d" y="%d">%s</text>`+"\n", hmLeft-6, y+hmCellH/2+4, esc(t.Name))
		trivial := exclusionReason(t.Name, dataset) == "" && s.trivialPair(t.Name, dataset)
		for j, spec := range networks {
			x := hmLeft + j*hmCellW
			heatmapCell(&b, x, y, t.Name, dataset, spec.Name, cells[cellID{t.Name, dataset, spec.Name}], trivial, s.target)
		}
	}
	// The legend: the colour ramp, then a key to the other marks.
	ly := hmTop + gridH + 30
	fmt.Fprintf(&b, `<text class="key" x="%d" y="%d">accuracy</text>`+"\n", hmLeft-6-55, ly+11)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="300" height="14" fill="url(#ramp)" stroke="#999"/>`+"\n", hmLeft, ly)
	for _, v := range []int{0, 25, 50, 75, 100} {
		x := hmLeft + v*3
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555"/><text class="key" x="%d" y="%d" text-anchor="middle">%d%%</text>`+"\n",
			x, ly+14, x, ly+18, x, ly+30, v)
	}
	ky := ly + 50
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/><text class="key" x="%d" y="%d">excluded pair</text>`+"\n",
		hmLeft, ky, hmCellW, hmCellH, hmLeft+hmCellW+6, ky+14)
	kx := hmLeft + 140
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#ccc"/><text class="v" x="%d" y="%d" fill="#999">–</text><text class="key" x="%d" y="%d">not run yet</text>`+"\n",
		kx, ky, hmCellW, hmCellH, kx+hmCellW/2, ky+13, kx+hmCellW+6, ky+14)
	kx += 130
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="#f58518" stroke="#fff" stroke-width="0.8"/><text class="key" x="%d" y="%d">a trivial predictor passes</text>`+"\n",
		kx+4, ky+10, kx+14, ky+14)
	kx += 200
	fmt.Fprintf(&b, `<text class="key ok" x="%d" y="%d">bold</text><text class="key" x="%d" y="%d">: success (&gt;= %s%%)</text>`+"\n",
		kx, ky+14, kx+27, ky+14, formatFloat(100*s.target))
	b.WriteString("</svg>\n")
	return b.String()
}

// heatmapCell draws one heat-map cell at (x, y): its rect, a tooltip, the
// accuracy and, if trivial, the orange dot. c is nil for a cell not run.
func heatmapCell(b *strings.Builder, x, y int, task, dataset, network string, c *cellStat, trivial bool, target float64) {
	cx, ty := x+hmCellW/2, y+hmCellH/2+3
	label := fmt.Sprintf("%s × %s on %s", task, network, dataset)
	b.WriteString("<g>")
	switch {
	case exclusionReason(task, dataset) != "":
		fmt.Fprintf(b, `<title>%s: excluded (%s)</title><rect class="cell excluded" x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#fff"/>`,
			esc(label), esc(exclusionReason(task, dataset)), x, y, hmCellW, hmCellH)
	case c == nil:
		fmt.Fprintf(b, `<title>%s: not run yet</title><rect class="cell missing" x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#ddd"/><text class="v" x="%d" y="%d" fill="#999">–</text>`,
			esc(label), x, y, hmCellW, hmCellH, cx, ty)
	default:
		acc := c.AccSum / float64(c.Success.n)
		class, text, style := "cell", strconv.Itoa(int(math.Floor(acc*100+1e-7))), ""
		if c.Errors > 0 {
			class += " error"
		}
		colour := textColour(acc)
		if c.Errors == c.Success.n {
			text, colour = "err", "#c00"
		}
		if c.Success.k == c.Success.n {
			style = " ok"
		}
		fmt.Fprintf(b, `<title>%s: %s, %d of %d seeds succeeded`, esc(label), pct(acc), c.Success.k, c.Success.n)
		if c.Errors > 0 {
			fmt.Fprintf(b, ", %d ended in an error", c.Errors)
		}
		fmt.Fprintf(b, `</title><rect class="%s" x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/><text class="v%s" x="%d" y="%d" fill="%s">%s</text>`,
			class, x, y, hmCellW, hmCellH, rampColour(acc), style, cx, ty, colour, text)
	}
	if trivial {
		fmt.Fprintf(b, `<circle class="trivial" cx="%d" cy="%d" r="2.5" fill="#f58518" stroke="#fff" stroke-width="0.6"/>`, x+hmCellW-4, y+4)
	}
	b.WriteString("</g>\n")
}

// summarySVG draws one horizontal bar (rect class "bar") per network in
// stats, in the given order: the bar is the success rate, the text after it
// the counts and the mean accuracy.
func summarySVG(stats []networkStat, target float64) string {
	const rowH, left, barW, top = 22, 185, 400, 50
	width, height := left+barW+230, top+len(stats)*rowH+40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">
<style>text{font-size:12px} .name{text-anchor:end} .axis{font-size:10px;text-anchor:middle;fill:#555}</style>
<text x="10" y="20" font-size="15" font-weight="bold">Success rate per network (test accuracy &gt;= %s%%), best first</text>
`, width, height, width, height, formatFloat(100*target))
	axisY := top + len(stats)*rowH
	for _, v := range []int{0, 25, 50, 75, 100} {
		x := left + v*barW/100
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text class="axis" x="%d" y="%d">%d%%</text>`+"\n",
			x, top-6, x, axisY+4, x, axisY+16, v)
	}
	for i, n := range stats {
		y := top + i*rowH
		w := n.Success.rate() * barW
		fmt.Fprintf(&b, `<text class="name" x="%d" y="%d">%s</text>`, left-8, y+rowH/2+4, esc(n.Name))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="#2171b5"><title>%s: %s</title></rect>`,
			left, y+4, w, rowH-8, esc(n.Name), n.Success)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d/%d (%s), mean accuracy %s</text>`+"\n",
			float64(left)+w+6, y+rowH/2+4, n.Success.k, n.Success.n, pct(n.Success.rate()), pct(n.meanAccuracy()))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
