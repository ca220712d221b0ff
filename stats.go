// stats.go: the statistics the report's verdicts rest on, computed from
// counts and paired observations alone: exact binomial tests (the sign test
// and McNemar's test), Holm's correction for many comparisons, and a
// clustered bootstrap interval for a difference between two networks. It
// knows nothing of rows, files or training.
//
// The design they serve: every network runs on the same (task, dataset)
// cells with the same seeds, so two networks are compared pair by pair,
// (cell, seed) against (cell, seed). Runs of one cell are not independent
// (a cell that is easy is easy for every seed), so an interval for a
// difference resamples cells first and seeds within a cell second.
package main

import (
	"cmp"
	"math"
	"slices"
)

// binomialTail returns P(X <= k) for X ~ Binomial(n, 1/2), summed in log
// space so that n in the tens of thousands neither overflows nor underflows.
func binomialTail(k, n int) float64 {
	if k < 0 {
		return 0
	}
	if k >= n {
		return 1
	}
	lgN, _ := math.Lgamma(float64(n + 1))
	logHalfN := float64(n) * math.Log(0.5)
	var sum float64
	for i := 0; i <= k; i++ {
		lgI, _ := math.Lgamma(float64(i + 1))
		lgRest, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(lgN - lgI - lgRest + logHalfN)
	}
	return min(sum, 1)
}

// signTestP is the exact two-sided sign test: of pos+neg pairs that differ
// (ties are dropped before), pos went one way and neg the other; under no
// effect each way has probability 1/2. It returns the probability of a
// split at least as uneven, min(1, 2·P(X <= min(pos, neg))); 1 when no
// pair differs.
func signTestP(pos, neg int) float64 {
	if pos+neg == 0 {
		return 1
	}
	return min(1, 2*binomialTail(min(pos, neg), pos+neg))
}

// mcnemarP is McNemar's exact test on paired successes: b pairs where only
// the first network succeeded, c where only the second did (pairs where
// both or neither did carry no information). Exact McNemar is the sign
// test on the discordant pairs.
func mcnemarP(b, c int) float64 { return signTestP(b, c) }

// holm adjusts the p-values of m comparisons made together (Holm 1979): the
// i-th smallest (from 0) is multiplied by m-i, capped at 1, and made no
// smaller than the adjusted value before it. A comparison is significant at
// level α when its adjusted p-value is below α; the chance of any false
// positive among the m is then at most α. The result is in ps' order.
func holm(ps []float64) []float64 {
	m := len(ps)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ps[a], ps[b]) })
	adjusted := make([]float64, m)
	running := 0.0
	for rank, i := range order {
		running = max(running, min(1, float64(m-rank)*ps[i]))
		adjusted[i] = running
	}
	return adjusted
}

// bootstrapReps is the number of resamples behind a bootstrap interval. At
// 2,000 a bound moved by about 0.8 percentage points (standard deviation)
// from one generator seed to another, enough to move a bound near 0 to
// either side; at 20,000 that falls to about a quarter of a point, and
// the report still takes seconds.
const bootstrapReps = 20000

// clusteredBootstrap returns the mean of the values in cells (cells[c][s]
// is the value at seed s of cell c: a paired difference, e.g. 1 - 0 when
// only the first network succeeded, or a success 1 or 0) and a 95% percentile interval for it, by a
// two-stage bootstrap: each resample draws len(cells) cells with
// replacement, then, within each drawn cell, as many of its seeds with
// replacement, and takes the mean over all drawn differences. The draws
// come from seed, so the interval is reproducible. Empty cells are skipped;
// with none left it returns NaNs.
func clusteredBootstrap(cells [][]float64, seed uint64) (mean, lo, hi float64) {
	var kept [][]float64
	var sum float64
	var n int
	for _, c := range cells {
		if len(c) > 0 {
			kept = append(kept, c)
			for _, d := range c {
				sum += d
			}
			n += len(c)
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	r := newRNG(seed, hashString("clustered bootstrap"))
	means := make([]float64, bootstrapReps)
	for rep := range means {
		var s float64
		var count int
		for range kept {
			c := kept[r.intn(len(kept))]
			for range c {
				s += c[r.intn(len(c))]
			}
			count += len(c)
		}
		means[rep] = s / float64(count)
	}
	slices.Sort(means)
	return sum / float64(n), quantile(means, 0.025), quantile(means, 0.975)
}

// quantile returns the q-quantile of sorted xs, interpolating linearly
// between order statistics.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}
