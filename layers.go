// layers.go: the layer zoo and the registry of the study's 27 networks.
//
// A Dense layer is act(x·W + b), recorded on a tape as one Dense op. The networks are straight lists of such layers (see
// Network.Record): plain dense stacks, residual stacks that add a layer's
// input to its output where the widths allow, and the two multiply units.
// Nothing here knows about datasets, tasks or the sweep; a network only
// sees two input nodes a and b (N,W) and an output width.
package main

import (
	"fmt"
	"math"
)

// Widths of the study (PROTOCOL.md, "Shapes").
const (
	busWidth    = 128 // W: each input vector a and b
	hiddenWidth = 256 // H: every hidden layer, and the multiply unit's a', b'
)

// ---------------------------------------------------------------------------
// The dense layer.

// Dense is one fully connected layer, y (N,O) = act(x (N,I) · W (I,O) + B (1,O)),
// the activation applied on every layer, the output layer included (as
// TensorFlow's tf.layers.dense(activation=...) did in the original).
type Dense struct {
	W   *Node // (I,O) weights
	B   *Node // (1,O) bias
	Act activation
}

// newDense returns an (in -> out) layer with zeroed parameters; init fills them.
func newDense(in, out int, act activation) *Dense {
	return &Dense{W: newParam(in, out), B: newParam(1, out), Act: act}
}

// init draws the layer's weights from the original's initialiser and zeroes
// its bias:
//
//   - SELU layers: TF 1.x variance_scaling_initializer(factor=1.0), fan-in
//     mode, normal: a normal of stddev sqrt(1.3/fan_in) truncated at two
//     standard deviations (values beyond are redrawn). The 1.3 undoes the
//     truncation's shrinkage, so the variance is about 1/fan_in.
//   - every other layer: Glorot-uniform (Glorot & Bengio, 2010), uniform on
//     [-l, l] with l = sqrt(6/(fan_in+fan_out)), variance 2/(fan_in+fan_out).
func (d *Dense) init(r *rng) {
	w := d.W.Value
	fanIn, fanOut := float64(w.Rows), float64(w.Cols)
	if d.Act == actSELU {
		std := math.Sqrt(1.3 / fanIn)
		for i := range w.Data {
			z := r.normal()
			for math.Abs(z) > 2 {
				z = r.normal()
			}
			w.Data[i] = float32(z * std)
		}
	} else {
		limit := math.Sqrt(6 / (fanIn + fanOut))
		for i := range w.Data {
			w.Data[i] = float32((2*r.float64() - 1) * limit)
		}
	}
	clear(d.B.Value.Data)
}

// Record records the layer on t, as one Dense op, and returns its output
// (N,O) for input x (N,I).
func (d *Dense) Record(t *Tape, x *Node) *Node {
	return t.Dense(x, d.W, d.B, d.Act)
}

// ---------------------------------------------------------------------------
// Networks.

// networkType is a network's kind: how its layers are built and wired. Its
// value is the original results file's network_type column; an arithmetic
// unit (units.go) has its own name as its type.
type networkType string

// The four kinds of the article's networks.
const (
	typeDense          networkType = "dense"           // a stack of dense layers on concat(a, b)
	typeDenseResidual  networkType = "dense_residual"  // the same, a layer's input added where widths match
	typeMultiply       networkType = "multiply"        // dense(dense(a) * dense(b))
	typeMultiplySimple networkType = "multiply_simple" // dense(a * b)
)

// NetworkSpec names one of the study's networks. Type, Depth and Activation
// are the original results file's network_type, network_depth and
// network_activation columns.
type NetworkSpec struct {
	Name       string      // "dense-2-relu", "dense_residual-3-selu", "multiply", "multiply_simple"
	Type       networkType // typeDense, typeDenseResidual, typeMultiply, typeMultiplySimple or a unit's name
	Depth      int         // dense layers in a stack; 1 for the multiply units, as in the original
	Activation string      // the activation of every layer; "linear" for the multiply units
}

// networkSpecs returns the 27 networks of the paper grid, in a fixed order:
// dense-D-ACT for D = 1, 2, 3, dense_residual-D-ACT for D = 2, 3 (ACT in
// the order linear, relu, tanh, sigmoid, selu), then multiply and
// multiply_simple.
func networkSpecs() []NetworkSpec {
	var specs []NetworkSpec
	for _, typ := range []networkType{typeDense, typeDenseResidual} {
		first := 1
		if typ == typeDenseResidual {
			first = 2
		}
		for depth := first; depth <= 3; depth++ {
			for _, act := range activationNames {
				specs = append(specs, NetworkSpec{
					Name: fmt.Sprintf("%s-%d-%s", typ, depth, act), Type: typ, Depth: depth, Activation: act,
				})
			}
		}
	}
	specs = append(specs,
		NetworkSpec{Name: string(typeMultiply), Type: typeMultiply, Depth: 1, Activation: "linear"},
		NetworkSpec{Name: string(typeMultiplySimple), Type: typeMultiplySimple, Depth: 1, Activation: "linear"})
	return specs
}

// Network is a built network: its layers, in the order Record uses them, and
// the widths it was built for.
type Network struct {
	Spec   NetworkSpec
	Layers []*Dense
	// Bus, Hidden and Out are W, H and O: each input is (N,Bus), the output
	// (N,Out). The study uses Bus 128 and Hidden 256; tests use small ones.
	Bus, Hidden, Out int
}

// newNetwork builds spec's layers for inputs of width bus, hidden layers of
// width hidden and output width out, with zeroed parameters; call Init to
// draw them.
//
//	dense, dense_residual: Depth layers 2W -> H -> ... -> H -> O
//	multiply:              a' = dense(a, H), b' = dense(b, H) (both linear), out = dense(a'*b', O)
//	multiply_simple:       out = dense(a*b, O) (linear)
func newNetwork(spec NetworkSpec, bus, hidden, out int) (*Network, error) {
	act, err := parseActivation(spec.Activation)
	if err != nil {
		return nil, err
	}
	n := &Network{Spec: spec, Bus: bus, Hidden: hidden, Out: out}
	switch spec.Type {
	case typeDense, typeDenseResidual:
		if spec.Depth < 1 {
			return nil, fmt.Errorf("network %s: depth %d < 1", spec.Name, spec.Depth)
		}
		in := 2 * bus
		for i := 0; i < spec.Depth; i++ {
			width := hidden
			if i == spec.Depth-1 {
				width = out
			}
			n.Layers = append(n.Layers, newDense(in, width, act))
			in = width
		}
	case typeMultiply:
		n.Layers = []*Dense{
			newDense(bus, hidden, actLinear), // a' = dense(a)
			newDense(bus, hidden, actLinear), // b' = dense(b)
			newDense(hidden, out, actLinear), // out = dense(a' * b')
		}
	case typeMultiplySimple:
		n.Layers = []*Dense{newDense(bus, out, actLinear)} // out = dense(a * b)
	default:
		return nil, fmt.Errorf("network %s: unknown type %q (valid: %s, %s, %s, %s)", spec.Name, spec.Type,
			typeDense, typeDenseResidual, typeMultiply, typeMultiplySimple)
	}
	return n, nil
}

// residualSkips reports, for each of a dense_residual stack's layers, whether
// it gets a skip: the residual rule is that a layer whose input and output
// widths are equal outputs input + layer(input). With the study's widths
// (2W = H = 256) that is every layer but the last, and the last too when the
// task's output width is 256 (concat).
func (n *Network) residualSkips() []bool {
	skips := make([]bool, len(n.Layers))
	if n.Spec.Type != typeDenseResidual {
		return skips
	}
	for i, l := range n.Layers {
		skips[i] = l.W.Value.Rows == l.W.Value.Cols
	}
	return skips
}

// Init draws every parameter afresh from seed (see Dense.init); the same seed
// always gives the same network.
func (n *Network) Init(seed uint64) {
	r := newRNG(seed, hashString("network-init"))
	for _, l := range n.Layers {
		l.init(&r)
	}
}

// Params returns every trainable node, layer by layer, weights before bias.
func (n *Network) Params() []*Node {
	var ps []*Node
	for _, l := range n.Layers {
		ps = append(ps, l.W, l.B)
	}
	return ps
}

// Record records the network's forward pass on t for inputs a and b, both
// (N,W), and returns its output node (N,O). It is called once per tape; the
// same parameters may be recorded on several tapes.
func (n *Network) Record(t *Tape, a, b *Node) *Node {
	switch n.Spec.Type {
	case typeMultiply:
		ap := n.Layers[0].Record(t, a)
		bp := n.Layers[1].Record(t, b)
		return n.Layers[2].Record(t, t.Mul(ap, bp))
	case typeMultiplySimple:
		return n.Layers[0].Record(t, t.Mul(a, b))
	}
	x := t.Concat(a, b)
	skips := n.residualSkips()
	for i, l := range n.Layers {
		y := l.Record(t, x)
		if skips[i] {
			y = t.Add(x, y)
		}
		x = y
	}
	return x
}
