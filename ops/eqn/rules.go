package eqn

// N2 is the Fig 2 rule: du/dt = -c·u + s·tanh(u) + g·Σ_j W[i,j]·tanh(u_j),
// with per-neuron parameters c, s and g.
func N2() *Expr {
	u := U(Receiver)
	return AddE(AddE(
		NegE(MulE(P("c", Receiver), u)),
		MulE(P("s", Receiver), Apply(Tanh, u))),
		MulE(P("g", Receiver), SumJ(MulE(W(), Apply(Tanh, U(Sender))))))
}

// n4Local is -a·u + b + s·tanh(u), the local part of N4 and N5.
func n4Local() *Expr {
	u := U(Receiver)
	return AddE(AddE(NegE(MulE(P("a", Receiver), u)), P("b", Receiver)),
		MulE(P("s", Receiver), Apply(Tanh, u)))
}

// n4Transfer is tanh((u_j - h_j)/w_j).
func n4Transfer() *Expr {
	return Apply(Tanh, DivE(SubE(U(Sender), P("h", Sender)), P("w", Sender)))
}

// N4 is the Supp 13 rule: du/dt = -a·u + b + s·tanh(u) +
// g·Σ_j W[i,j]·tanh((u_j - h_j)/w_j), parameters a, b, s, g, w, h.
func N4() *Expr {
	return AddE(n4Local(), MulE(P("g", Receiver), SumJ(MulE(W(), n4Transfer()))))
}

// N4Multiplicative is the Fig 3 rule: N4 with the coupling multiplied by the
// external input, g·e·Σ_j W[i,j]·tanh((u_j - h_j)/w_j).
func N4Multiplicative() *Expr {
	return AddE(n4Local(), MulE(P("g", Receiver), E(), SumJ(MulE(W(), n4Transfer()))))
}

// N5 is the Supp 14 rule: du/dt = -a·u + b + s·tanh(u) +
// g·Σ_j W[i,j]·[tanh((u_j - h_j)/w_i) - u_j·ln(w_j)/50] + e, the width of the
// receiver inside tanh and the log term of the sender.
func N5() *Expr {
	transfer := SubE(
		Apply(Tanh, DivE(SubE(U(Sender), P("h", Sender)), P("w", Receiver))),
		DivE(MulE(U(Sender), Apply(Log, P("w", Sender))), Num(50)))
	return AddE(AddE(n4Local(), MulE(P("g", Receiver), SumJ(MulE(W(), transfer)))), E())
}
