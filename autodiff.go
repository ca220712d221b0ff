// autodiff.go: reverse-mode automatic differentiation on a tape.
//
// A Tape is built once per training: each op method (Dense, MatMul, AddBias,
// Add, Mul, Concat, Activate, MSE) allocates its output node and appends an op
// holding two closures, forward and backward, to the tape. Forward runs the
// ops in creation order, which is already a valid topological order of the
// graph; Backward walks the same slice in reverse. Nothing is allocated after
// the build, so a training step allocates nothing.
//
// Gradients accumulate: every backward adds (+=) into the gradients of its
// inputs, which is what makes a node that feeds two ops (the residual skip,
// the product a·b) come out right. ZeroGrads zeroes every gradient the tape
// touches, once per step, before Backward. It clears the op outputs'
// gradients at once; a parameter's (a leaf's) it only marks as zero, and
// the first backward of the step to reach it sets it instead of adding into
// it. Setting gives the bits that clearing and adding would (the kernels'
// sums start from +0), and saves a pass over every weight matrix per step
// plus the product's read of the zeros (BenchmarkTrainStep).
//
// In each op method the backward closure sits right under the forward one.
package main

import "fmt"

// Node is one value of the graph: a tensor and, when a gradient flows to it,
// the gradient of the loss with respect to it, of the same shape.
type Node struct {
	Value *Tensor
	Grad  *Tensor // same shape as Value; nil when no gradient is needed here
	// Sparse marks a value that is mostly exact zeros (one_hot and many_hot
	// data, and what Concat and Mul make of them): a MatMul reading it skips
	// the zeros. It changes the work, never the result beyond rounding.
	Sparse bool
}

// newParam returns a trainable rows x cols node: zeroed value and gradient.
// Parameters live outside any tape, so one set can be recorded on several
// tapes (the training tape at batch 32 and the evaluation tape).
func newParam(rows, cols int) *Node {
	return &Node{Value: newTensor(rows, cols), Grad: newTensor(rows, cols)}
}

// Tape is the record of a computation: ops in creation order.
type Tape struct {
	ops    []tapeOp
	grads  []*Tensor // every gradient an op of this tape reads or adds into
	leaf   []bool    // leaf[i]: grads[i] is not an op output's (a parameter's, say)
	zeroed []bool    // zeroed[i]: grads[i] counts as zero but still holds old values (leaves only)
	noGrad bool      // an evaluation tape: no gradients, Backward panics
}

// tapeOp is one recorded operation. forward recomputes out.Value from the
// inputs' values; backward adds the inputs' gradients from out.Grad.
type tapeOp struct {
	name     string
	inputs   []*Node
	out      *Node
	forward  func()
	backward func() // nil when no input needs a gradient
	// inGrads are the indices in Tape.grads of the inputs' gradients (-1
	// for none). Before a backward runs, the tape clears those that are
	// marked zero, unless the op sets them itself (see Tape.take).
	inGrads []int
	sets    bool
}

// newTape returns an empty tape that records gradients.
func newTape() *Tape { return &Tape{} }

// newEvalTape returns an empty tape for forward passes only: its op outputs
// get no gradient tensors, and parameters recorded on it are read only.
func newEvalTape() *Tape { return &Tape{noGrad: true} }

// Input returns a rows x cols leaf node with no gradient, for data the
// caller fills (a batch's inputs or labels) before Forward.
func (t *Tape) Input(rows, cols int) *Node {
	return &Node{Value: newTensor(rows, cols)}
}

// node allocates the output of an op: a value, and a gradient when the tape
// records gradients and any input has one.
func (t *Tape) node(rows, cols int, inputs ...*Node) *Node {
	n := &Node{Value: newTensor(rows, cols)}
	if t.noGrad {
		return n
	}
	for _, in := range inputs {
		if in.Grad != nil {
			n.Grad = newTensor(rows, cols)
			t.trackGrad(n.Grad, false)
			break
		}
	}
	return n
}

// trackGrad adds g to the gradients ZeroGrads zeroes, once, and returns
// its index in t.grads. leaf says g is not an op output's gradient; the
// first call for a gradient decides (an op output's is tracked when the
// op's node is made, before any op reads it).
func (t *Tape) trackGrad(g *Tensor, leaf bool) int {
	for i, h := range t.grads {
		if h == g {
			return i
		}
	}
	t.grads = append(t.grads, g)
	t.leaf = append(t.leaf, leaf)
	t.zeroed = append(t.zeroed, false)
	return len(t.grads) - 1
}

// record appends an op. The inputs' gradients (parameters' included) are
// tracked so that ZeroGrads zeroes them; the op's backward adds into them.
func (t *Tape) record(name string, out *Node, forward, backward func(), inputs ...*Node) *Node {
	if t.noGrad || out.Grad == nil {
		backward = nil
	}
	op := tapeOp{name: name, inputs: inputs, out: out, forward: forward, backward: backward}
	for _, in := range inputs {
		g := -1
		if in.Grad != nil && !t.noGrad {
			g = t.trackGrad(in.Grad, true)
		}
		op.inGrads = append(op.inGrads, g)
	}
	t.ops = append(t.ops, op)
	return out
}

// gradIndex returns the index in t.grads of n's gradient, -1 if it has
// none (or t records none).
func (t *Tape) gradIndex(n *Node) int {
	if n.Grad == nil || t.noGrad {
		return -1
	}
	return t.trackGrad(n.Grad, true)
}

// take reports whether gradient i (of gradIndex) is marked zero, and
// unmarks it: the caller, an op that sets its gradients itself (its
// tapeOp.sets), must then set the gradient rather than add into it.
func (t *Tape) take(i int) bool {
	if i < 0 || !t.zeroed[i] {
		return false
	}
	t.zeroed[i] = false
	return true
}

// settle clears gradient i if it is marked zero, so that adding into it
// gives the right result.
func (t *Tape) settle(i int) {
	if t.take(i) {
		clear(t.grads[i].Data)
	}
}

// Forward runs every op's forward in creation order.
func (t *Tape) Forward() {
	for i := range t.ops {
		t.ops[i].forward()
	}
}

// ZeroGrads sets every gradient the tape touches to zero: every op
// output's at once; the parameters' (the leaves') by marking them, so that
// the next Backward sets them or clears them before adding (see the file
// comment). Call it once per step before Backward; until that Backward, a
// leaf's gradient still holds its old values.
func (t *Tape) ZeroGrads() {
	for i, g := range t.grads {
		if t.leaf[i] {
			t.zeroed[i] = true
		} else {
			clear(g.Data)
		}
	}
}

// Backward seeds d(loss)/d(loss) = 1 into the 1x1 loss node and runs every
// op's backward in reverse creation order, adding into the gradients of all
// nodes the loss depends on. Forward must have run first, and ZeroGrads
// before it in the same step.
func (t *Tape) Backward(loss *Node) {
	if t.noGrad || loss.Grad == nil || len(loss.Grad.Data) != 1 {
		panic("Backward: loss must be a 1x1 node of a gradient tape")
	}
	loss.Grad.Data[0] = 1
	t.backwardOps()
}

// backwardOps runs the backward of every op in reverse creation order,
// assuming the output gradients have been seeded, then clears the leaf
// gradients still marked zero (ones no backward reached).
func (t *Tape) backwardOps() {
	for i := len(t.ops) - 1; i >= 0; i-- {
		op := &t.ops[i]
		if op.backward == nil {
			continue
		}
		if !op.sets {
			for _, g := range op.inGrads {
				t.settle(g)
			}
		}
		op.backward()
	}
	for i := range t.grads {
		t.settle(i)
	}
}

// ---------------------------------------------------------------------------
// Ops. Each method records one op and returns its output node.

// MatMul records out (N,O) = x (N,I) · w (I,O). When x is marked Sparse
// both products that read it skip its zeros.
//
// Backward: dx += dout · wᵀ and dw += xᵀ · dout; either is skipped when
// that input has no gradient (the first layer's x is the data). A gradient
// marked zero is set rather than added into.
func (t *Tape) MatMul(x, w *Node) *Node {
	if x.Value.Cols != w.Value.Rows {
		panic(fmt.Sprintf("MatMul: %s·%s shape mismatch", x.Value.shape(), w.Value.shape()))
	}
	out := t.node(x.Value.Rows, w.Value.Cols, x, w)
	product, weightGrad := products(x)
	xg, wg := t.gradIndex(x), t.gradIndex(w)
	forward := func() {
		product(out.Value, x.Value, w.Value, false)
	}
	backward := func() {
		if x.Grad != nil {
			matMulTransB(x.Grad, out.Grad, w.Value, !t.take(xg))
		}
		if w.Grad != nil {
			weightGrad(w.Grad, x.Value, out.Grad, !t.take(wg))
		}
	}
	return t.recordSetting("matmul", out, forward, backward, x, w)
}

// products returns the forward product x·w and the weight gradient xᵀ·dy
// for a MatMul reading x: the zero-skipping ones when x is marked Sparse.
func products(x *Node) (product, weightGrad func(dst, a, b *Tensor, accumulate bool)) {
	if x.Sparse {
		return matMulSparseA, matMulTransASparseA
	}
	return matMul, matMulTransA
}

// recordSetting records an op whose backward sets its inputs' gradients
// when they are marked zero (through take) and adds into them otherwise.
func (t *Tape) recordSetting(name string, out *Node, forward, backward func(), inputs ...*Node) *Node {
	t.record(name, out, forward, backward, inputs...)
	t.ops[len(t.ops)-1].sets = true
	return out
}

// Dense records out (N,O) = act(x (N,I) · w (I,O) + b (1,O)), a whole dense
// layer as one op: the product, then the bias and the activation in one
// pass over out (biasActivationForward). It computes what MatMul, AddBias
// and Activate recorded in turn would, bit for bit, without their two
// intermediate tensors and the passes over them (BenchmarkTrainStep).
//
// Backward, with dz = dout * act'(from out), (N,O): db += Σ_rows dz,
// dx += dz · wᵀ and dw += xᵀ · dz, each where that input has a gradient; a
// gradient marked zero is set rather than added into. dz is a scratch
// tensor of the op, written by each backward; for a linear layer it is dout
// itself (+0 + dout is dout: an accumulated gradient is never -0).
func (t *Tape) Dense(x, w, b *Node, act activation) *Node {
	if x.Value.Cols != w.Value.Rows || b.Value.Rows != 1 || b.Value.Cols != w.Value.Cols {
		panic(fmt.Sprintf("Dense: %s·%s + %s shape mismatch", x.Value.shape(), w.Value.shape(), b.Value.shape()))
	}
	out := t.node(x.Value.Rows, w.Value.Cols, x, w, b)
	product, weightGrad := products(x)
	xg, wg, bg := t.gradIndex(x), t.gradIndex(w), t.gradIndex(b)
	dz := out.Grad
	if dz != nil && act != actLinear {
		dz = newTensor(out.Value.Rows, out.Value.Cols)
	}
	forward := func() {
		product(out.Value, x.Value, w.Value, false)
		biasActivationForward(act, out.Value, out.Value, b.Value)
	}
	backward := func() {
		if act != actLinear {
			activationBackward(act, dz, out.Grad, out.Value, false)
		}
		if b.Grad != nil {
			sumRowsAccumulate(b.Grad, dz, !t.take(bg))
		}
		if x.Grad != nil {
			matMulTransB(x.Grad, dz, w.Value, !t.take(xg))
		}
		if w.Grad != nil {
			weightGrad(w.Grad, x.Value, dz, !t.take(wg))
		}
	}
	return t.recordSetting("dense_"+act.String(), out, forward, backward, x, w, b)
}

// AddBias records out (N,O) = x (N,O) + b (1,O), b broadcast over rows.
//
// Backward: dx += dout and db += Σ_rows dout.
func (t *Tape) AddBias(x, b *Node) *Node {
	out := t.node(x.Value.Rows, x.Value.Cols, x, b)
	forward := func() {
		addBias(out.Value, x.Value, b.Value)
	}
	backward := func() {
		if x.Grad != nil {
			accumulate(x.Grad, out.Grad)
		}
		if b.Grad != nil {
			sumRowsAccumulate(b.Grad, out.Grad, true)
		}
	}
	return t.record("add_bias", out, forward, backward, x, b)
}

// Add records out = a + b for a and b of one shape (the residual skip).
//
// Backward: da += dout and db += dout.
func (t *Tape) Add(a, b *Node) *Node {
	out := t.node(a.Value.Rows, a.Value.Cols, a, b)
	forward := func() {
		addTensors(out.Value, a.Value, b.Value)
	}
	backward := func() {
		if a.Grad != nil {
			accumulate(a.Grad, out.Grad)
		}
		if b.Grad != nil {
			accumulate(b.Grad, out.Grad)
		}
	}
	return t.record("add", out, forward, backward, a, b)
}

// Mul records the element-wise product out = a * b for a and b of one shape:
// the article's element-wise multiplication.
//
// Backward, by the product rule d(ab) = b·da + a·db: da += dout * b and
// db += dout * a. When a and b are one node, both terms land in it, giving
// d(a²) = 2a·da.
func (t *Tape) Mul(a, b *Node) *Node {
	out := t.node(a.Value.Rows, a.Value.Cols, a, b)
	out.Sparse = a.Sparse || b.Sparse // a zero in either gives a zero
	forward := func() {
		mulTensors(out.Value, a.Value, b.Value)
	}
	backward := func() {
		if a.Grad != nil {
			mulAccumulate(a.Grad, out.Grad, b.Value)
		}
		if b.Grad != nil {
			mulAccumulate(b.Grad, out.Grad, a.Value)
		}
	}
	return t.record("mul", out, forward, backward, a, b)
}

// Concat records out (N, Ia+Ib) = [a (N,Ia) | b (N,Ib)], the rows of a and b
// side by side: the dense networks' view of the two input vectors.
//
// Backward: da += the left Ia columns of dout, db += the right Ib columns.
func (t *Tape) Concat(a, b *Node) *Node {
	out := t.node(a.Value.Rows, a.Value.Cols+b.Value.Cols, a, b)
	out.Sparse = a.Sparse && b.Sparse
	forward := func() {
		concatCols(out.Value, a.Value, b.Value)
	}
	backward := func() {
		if a.Grad != nil || b.Grad != nil {
			splitColsAccumulate(a.Grad, b.Grad, out.Grad)
		}
	}
	return t.record("concat", out, forward, backward, a, b)
}

// Activate records out = act(x) element by element.
//
// Backward: dx += dout * act'(x), computed from out (see activationBackward).
func (t *Tape) Activate(act activation, x *Node) *Node {
	out := t.node(x.Value.Rows, x.Value.Cols, x)
	forward := func() {
		activationForward(act, out.Value, x.Value)
	}
	backward := func() {
		activationBackward(act, x.Grad, out.Grad, out.Value, true)
	}
	return t.record(act.String(), out, forward, backward, x)
}

// MSE records the mean squared error of pred (N,O) against label (N,O) as a
// 1x1 node: loss = Σ (pred - label)² / (N·O), summed in float64.
//
// Backward: dpred += dloss · 2(pred - label)/(N·O), and the negative of that
// into dlabel when the label has a gradient.
func (t *Tape) MSE(pred, label *Node) *Node {
	sameShape("MSE", pred.Value, label.Value)
	out := t.node(1, 1, pred, label)
	count := float64(len(pred.Value.Data))
	forward := func() {
		var s float64
		l := label.Value.Data[:len(pred.Value.Data)]
		for i, p := range pred.Value.Data {
			d := float64(p) - float64(l[i])
			s += d * d
		}
		out.Value.Data[0] = float32(s / count)
	}
	backward := func() {
		scale := out.Grad.Data[0] * float32(2/count)
		l := label.Value.Data[:len(pred.Value.Data)]
		for i, p := range pred.Value.Data {
			g := scale * (p - l[i])
			if pred.Grad != nil {
				pred.Grad.Data[i] += g
			}
			if label.Grad != nil {
				label.Grad.Data[i] -= g
			}
		}
	}
	return t.record("mse", out, forward, backward, pred, label)
}
