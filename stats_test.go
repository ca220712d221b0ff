package main

import (
	"math"
	"testing"
)

// TestExactTests checks the sign test and McNemar's test against values
// worked out by hand from binomial coefficients: 0 of 5 pairs one way is
// 2/32; 15 against 9 discordant pairs is 2·Σ_{i<=9} C(24,i)/2^24; 40 of 100
// is 2·Σ_{i<=40} C(100,i)/2^100.
func TestExactTests(t *testing.T) {
	cases := []struct {
		pos, neg int
		want     float64
	}{
		{0, 5, 0.0625},
		{5, 0, 0.0625},
		{15, 9, 0.30745625495910645},
		{60, 40, 0.05688793364098079},
		{3, 3, 1},
		{0, 0, 1},
		{0, 1, 1},
	}
	for _, c := range cases {
		if got := signTestP(c.pos, c.neg); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("signTestP(%d, %d) = %.17g, want %.17g", c.pos, c.neg, got, c.want)
		}
		if got := mcnemarP(c.pos, c.neg); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("mcnemarP(%d, %d) = %.17g, want %.17g", c.pos, c.neg, got, c.want)
		}
	}
	// Large n stays finite and symmetric: 5,000 of 10,000 is no evidence.
	if got := signTestP(5000, 5000); math.Abs(got-1) > 1e-9 {
		t.Errorf("signTestP(5000, 5000) = %v, want 1", got)
	}
	if got := signTestP(4000, 6000); got <= 0 || got > 1e-80 {
		t.Errorf("signTestP(4000, 6000) = %v, want a tiny positive number", got)
	}
}

// TestHolm checks Holm's step-down adjustment on a worked example: sorted
// 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 are 0.02, 0.03, 0.06, 0.04, and
// the last is raised to 0.06 to keep the order.
func TestHolm(t *testing.T) {
	got := holm([]float64{0.01, 0.04, 0.03, 0.005})
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("holm = %v, want %v", got, want)
		}
	}
	if got := holm([]float64{0.5, 0.9}); got[0] != 1 || got[1] != 1 {
		t.Errorf("holm caps at 1: %v", got)
	}
	if got := holm(nil); len(got) != 0 {
		t.Errorf("holm(nil) = %v", got)
	}
}

// TestClusteredBootstrap: a difference that is the same in every run has a
// zero-width interval at that value; the interval is reproducible from its
// seed; and when the differences live in the cells (every seed of a cell
// agrees), the interval is as wide as the spread over cells demands, much
// wider than if the runs were independent.
func TestClusteredBootstrap(t *testing.T) {
	same := [][]float64{{1, 1, 1}, {1, 1}, {1, 1, 1, 1}}
	if m, lo, hi := clusteredBootstrap(same, 1); m != 1 || lo != 1 || hi != 1 {
		t.Errorf("constant differences: %v [%v, %v], want 1 [1, 1]", m, lo, hi)
	}
	if m, _, _ := clusteredBootstrap([][]float64{{}, nil}, 1); !math.IsNaN(m) {
		t.Errorf("no differences: mean %v, want NaN", m)
	}
	// 20 cells, half where the first network always wins (+1 on all 10
	// seeds), half where the two always tie (0): mean 0.5. Over cells the
	// mean is a binomial proportion of 20 clusters, so the 95% interval is
	// about 0.5 ± 1.96·sqrt(0.25/20) = [0.28, 0.72]; treating the 200 runs
	// as independent would give ±0.07.
	var cells [][]float64
	for c := 0; c < 20; c++ {
		d := 0.0
		if c%2 == 0 {
			d = 1
		}
		cells = append(cells, []float64{d, d, d, d, d, d, d, d, d, d})
	}
	m, lo, hi := clusteredBootstrap(cells, 7)
	m2, lo2, hi2 := clusteredBootstrap(cells, 7)
	if m != m2 || lo != lo2 || hi != hi2 {
		t.Fatal("the same seed gave another interval")
	}
	if m != 0.5 || lo < 0.2 || lo > 0.35 || hi < 0.65 || hi > 0.8 {
		t.Errorf("clustered interval %v [%v, %v], want 0.5 [~0.28, ~0.72]", m, lo, hi)
	}
}
