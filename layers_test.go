package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestNetworkRegistry checks the paper grid's networks: distinct names in
// the documented order (dense-D-ACT, then dense_residual-D-ACT, then the
// two multiply units), each found by findNetwork, and a clear error for an
// unknown name. Their number is checked with the paper's other facts
// (TestPaperFacts).
func TestNetworkRegistry(t *testing.T) {
	var want []string
	for _, typ := range []networkType{typeDense, typeDenseResidual} {
		for depth := 1 + b2i(typ == typeDenseResidual); depth <= 3; depth++ {
			for _, act := range activationNames {
				want = append(want, fmt.Sprintf("%s-%d-%s", typ, depth, act))
			}
		}
	}
	want = append(want, "multiply", "multiply_simple")
	if got := paperNetworkNames(); !slices.Equal(got, want) {
		t.Fatalf("paper networks %v, want %v", got, want)
	}
	for _, s := range paperNetworks {
		if got, err := findNetwork(s.Name); err != nil || got != s {
			t.Fatalf("findNetwork(%q) = %v, %v", s.Name, got, err)
		}
	}
	_, err := findNetwork("dense-4-relu")
	if err == nil || !strings.Contains(err.Error(), "dense-4-relu") || !strings.Contains(err.Error(), "multiply_simple") {
		t.Fatalf("unknown network error = %v", err)
	}
}

// TestResidualRule checks which layers of the residual stacks get a skip at
// the study's widths: every layer whose input and output widths are equal.
// The first layer is 2W = 256 -> H = 256, so it always gets one; the last
// layer only when the task's width is 256 (concat), not at 1 or 128. Plain
// dense stacks never get one.
func TestResidualRule(t *testing.T) {
	want := map[string]map[int][]bool{
		"dense_residual-2-relu": {1: {true, false}, 128: {true, false}, 256: {true, true}},
		"dense_residual-3-tanh": {1: {true, true, false}, 128: {true, true, false}, 256: {true, true, true}},
		"dense-3-relu":          {1: {false, false, false}, 128: {false, false, false}, 256: {false, false, false}},
		"dense-1-linear":        {1: {false}, 128: {false}, 256: {false}},
	}
	for name, byWidth := range want {
		spec, _ := findNetwork(name)
		for width, skips := range byWidth {
			n, err := newNetwork(spec, busWidth, hiddenWidth, width)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.residualSkips(); fmt.Sprint(got) != fmt.Sprint(skips) {
				t.Errorf("%s at output width %d: skips %v, want %v", name, width, got, skips)
			}
		}
	}
}

// TestNetworkShapes checks each network's parameter shapes at the study's
// widths for output width 128.
func TestNetworkShapes(t *testing.T) {
	want := map[string]string{
		"dense-1-relu":          "[(256,128) (1,128)]",
		"dense-2-relu":          "[(256,256) (1,256) (256,128) (1,128)]",
		"dense_residual-3-selu": "[(256,256) (1,256) (256,256) (1,256) (256,128) (1,128)]",
		"multiply":              "[(128,256) (1,256) (128,256) (1,256) (256,128) (1,128)]",
		"multiply_simple":       "[(128,128) (1,128)]",
	}
	for name, shapes := range want {
		spec, _ := findNetwork(name)
		n, _ := newNetwork(spec, busWidth, hiddenWidth, 128)
		var got []string
		for _, p := range n.Params() {
			got = append(got, p.Value.shape())
		}
		if fmt.Sprint(got) != shapes {
			t.Errorf("%s: parameters %v, want %s", name, got, shapes)
		}
	}
}

// TestNetworkGradients checks every paper network end to end
// against central differences: all parameters and both inputs, at small
// widths (W = 3, H = 6, so the first layer's 2W -> H skip exists) and two
// output widths (6, where a residual stack's last layer also gets a skip,
// and 2).
func TestNetworkGradients(t *testing.T) {
	for _, spec := range networkSpecs() {
		for _, out := range []int{6, 2} {
			name := fmt.Sprintf("%s/out=%d", spec.Name, out)
			t.Run(name, func(t *testing.T) {
				r := newRNG(hashString(name))
				var tp *Tape
				var y *Node
				var wrt []*Node
				for try := 0; ; try++ {
					n, err := newNetwork(spec, 3, 6, out)
					if err != nil {
						t.Fatal(err)
					}
					n.Init(r.next())
					for _, p := range n.Params() { // non-zero biases exercise more of the backward
						if p.Value.Rows == 1 {
							fill(&r, p.Value, -0.5, 0.5)
						}
					}
					a, b := newParam(3, 3), newParam(3, 3)
					fill(&r, a.Value, -1, 1)
					fill(&r, b.Value, -1, 1)
					tp = newTape()
					y = n.Record(tp, a, b)
					wrt = append(n.Params(), a, b)
					if awayFromKinks(tp) {
						break
					}
					if try == maxGradDraw {
						t.Fatal("could not draw a network away from the kinks")
					}
				}
				bad := checkGradients(tp, y, wrt, randomWeights(&r, len(y.Value.Data)))
				reportMismatches(t, name, bad, countElements(wrt))
			})
		}
	}
}

// TestInitialiserStatistics draws a large layer with each initialiser and
// checks mean, variance and range against the formulas in Dense.init:
// Glorot-uniform has variance 2/(fan_in+fan_out) and |w| <= sqrt(6/(fan_in+
// fan_out)); the SELU initialiser, a normal of stddev sqrt(1.3/fan_in)
// truncated at 2σ, has variance 1.3·0.773741/fan_in and |w| <= 2σ. With
// 65,536 weights the sample mean's standard error is under 0.4% of σ and the
// variance's under 1%, so the tolerances below are several standard errors.
func TestInitialiserStatistics(t *testing.T) {
	const fanIn, fanOut = 256, 256
	// Variance of a standard normal truncated to [-2, 2]: 1 - 2·2·φ(2)/(2Φ(2)-1).
	phi2 := math.Exp(-2) / math.Sqrt(2*math.Pi)
	truncVar := 1 - 4*phi2/math.Erf(2/math.Sqrt2)
	cases := []struct {
		act       activation
		variance  float64
		maxAbsVal float64
	}{
		{actReLU, 2.0 / (fanIn + fanOut), math.Sqrt(6.0 / (fanIn + fanOut))},
		{actLinear, 2.0 / (fanIn + fanOut), math.Sqrt(6.0 / (fanIn + fanOut))},
		{actSELU, 1.3 * truncVar / fanIn, 2 * math.Sqrt(1.3/fanIn)},
	}
	for _, c := range cases {
		d := newDense(fanIn, fanOut, c.act)
		d.B.Value.Data[0] = 5 // init must zero the bias
		r := newRNG(21)
		d.init(&r)
		var sum, sumSq, maxAbs float64
		for _, w := range d.W.Value.Data {
			sum += float64(w)
			sumSq += float64(w) * float64(w)
			maxAbs = math.Max(maxAbs, math.Abs(float64(w)))
		}
		n := float64(len(d.W.Value.Data))
		mean := sum / n
		variance := sumSq/n - mean*mean
		name := activationNames[c.act]
		if math.Abs(mean) > 0.02*math.Sqrt(c.variance) {
			t.Errorf("%s: mean %g, want about 0", name, mean)
		}
		if math.Abs(variance/c.variance-1) > 0.03 {
			t.Errorf("%s: variance %g, want %g", name, variance, c.variance)
		}
		if maxAbs > c.maxAbsVal || maxAbs < 0.9*c.maxAbsVal {
			t.Errorf("%s: max |w| %g, want just under %g", name, maxAbs, c.maxAbsVal)
		}
		for _, b := range d.B.Value.Data {
			if b != 0 {
				t.Fatalf("%s: bias not zeroed", name)
			}
		}
	}
}

// TestNetworkInitIsDeterministic checks that one seed gives one network and
// another seed a different one.
func TestNetworkInitIsDeterministic(t *testing.T) {
	spec, _ := findNetwork("dense-2-selu")
	a, _ := newNetwork(spec, busWidth, hiddenWidth, 128)
	b, _ := newNetwork(spec, busWidth, hiddenWidth, 128)
	a.Init(42)
	b.Init(42)
	for i, p := range a.Params() {
		if !equalData(p.Value.Data, b.Params()[i].Value.Data) {
			t.Fatal("same seed gave different parameters")
		}
	}
	b.Init(43)
	if equalData(a.Params()[0].Value.Data, b.Params()[0].Value.Data) {
		t.Fatal("different seeds gave the same parameters")
	}
}
