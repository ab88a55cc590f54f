package lang

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes. Offset is the 0-based byte offset.
type Pos struct {
	File   string
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether the position points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String returns FILE:LINE:COL.
func (p Pos) String() string {
	return p.File + ":" + itoa(p.Line) + ":" + itoa(p.Col)
}

// Node is implemented by every syntax tree node.
type Node interface {
	// Position is where the node starts (for binary operators: the operator).
	Position() Pos
}

// Expr is an expression node. The concrete types are NumberLit, StringLit,
// BoolLit, NilLit, Name, ListLit, RecordLit, Unary, Binary, SumJ, Call,
// Index, Slice, Field and Lambda.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node. The concrete types are ExprStmt, Assign,
// Setting, Const, Seed, FnDecl, If, For, While, Break, Continue, Return,
// Decl, NamedBlock, FuncEq, DerivEq and Every.
type Stmt interface {
	Node
	stmtNode()
}

// File is a parsed source file.
type File struct {
	Name  string
	Src   []byte
	Stmts []Stmt
}

// Block is a braced statement list. Context tells whether it holds code
// (top level, function bodies, if/for/while bodies) or settings
// (declaration, named and trailing blocks, every hooks).
type Block struct {
	At      Pos
	End     Pos
	Stmts   []Stmt
	Context BlockContext
}

// BlockContext says how the statements of a block were classified.
type BlockContext int

const (
	// CodeBlock statements: `x = e` is an Assign.
	CodeBlock BlockContext = iota
	// SettingsBlock statements: `x = e` is a Setting, `f(u) = e` a FuncEq,
	// `du/dt = e` a DerivEq, `kind name { }` a NamedBlock.
	SettingsBlock
)

// Position returns the opening brace.
func (b *Block) Position() Pos { return b.At }

// ---- expressions ----

// NumberLit is a number literal such as 1e-3 or 100_000.
type NumberLit struct {
	At    Pos
	Value float64
	Raw   string
}

// StringLit is a string literal; Value has its escapes resolved.
type StringLit struct {
	At    Pos
	Value string
}

// BoolLit is true or false.
type BoolLit struct {
	At    Pos
	Value bool
}

// NilLit is nil.
type NilLit struct{ At Pos }

// Name is a reference to a variable, function or builtin.
type Name struct {
	At   Pos
	Name string
}

// ListLit is [a, b, c].
type ListLit struct {
	At    Pos
	Elems []Expr
}

// RecordField is one `key: value` of a record literal.
type RecordField struct {
	At    Pos
	Key   string
	Value Expr
}

// RecordLit is {a: 1, b: "x"}; fields keep their order.
type RecordLit struct {
	At     Pos
	Fields []RecordField
}

// Unary is -X, +X or not X. Op is "-", "+" or "not".
type Unary struct {
	At Pos
	Op string
	X  Expr
}

// Binary is X Op Y. Op is one of + - * / % ^ == != < <= > >= and or.
// At is the position of the operator.
type Binary struct {
	At Pos
	Op string
	X  Expr
	Y  Expr
}

// SumJ is `sum_j Term`: Term summed over all senders j != i.
type SumJ struct {
	At   Pos
	Term Expr
}

// NamedArg is `name = value` in a call.
type NamedArg struct {
	At    Pos
	Name  string
	Value Expr
}

// Call is Fn(Args..., Named...), optionally followed by a trailing block.
// Name is the callee's name when Fn is a *Name, else "".
type Call struct {
	At    Pos
	Fn    Expr
	Name  string
	Args  []Expr
	Named []NamedArg
	Block *Block
}

// Index is X[Indices...], e.g. W[i, j].
type Index struct {
	At      Pos
	X       Expr
	Indices []Expr
}

// Slice is X[Lo:Hi]; Lo or Hi may be nil.
type Slice struct {
	At Pos
	X  Expr
	Lo Expr
	Hi Expr
}

// Field is X.Name.
type Field struct {
	At   Pos
	X    Expr
	Name string
}

// Param is a function parameter with an optional default.
type Param struct {
	At      Pos
	Name    string
	Default Expr
}

// Lambda is an anonymous one-expression function `fn(a, b) = expr`.
type Lambda struct {
	At     Pos
	Params []Param
	Body   Expr
}

// ---- statements ----

// ExprStmt is an expression evaluated for its effect.
type ExprStmt struct {
	At Pos
	X  Expr
}

// Assign is Target = Value in code; Target is a *Name, *Index or *Field.
type Assign struct {
	At     Pos
	Target Expr
	Value  Expr
}

// Setting is `Name = Value` inside a settings block.
type Setting struct {
	At    Pos
	Name  string
	Value Expr
}

// Const is `const Name = Value`.
type Const struct {
	At    Pos
	Name  string
	Value Expr
}

// Seed is `seed Value`.
type Seed struct {
	At    Pos
	Value Expr
}

// FnDecl is `fn Name(Params) = Expr` (Body nil) or `fn Name(Params) { Body }`
// (Expr nil).
type FnDecl struct {
	At     Pos
	Name   string
	Params []Param
	Expr   Expr
	Body   *Block
}

// If is `if Cond { Then } else { Else }`; an else-if is an Else block
// holding one *If.
type If struct {
	At   Pos
	Cond Expr
	Then *Block
	Else *Block
}

// For is `for Var in Iter { Body }`.
type For struct {
	At   Pos
	Var  string
	Iter Expr
	Body *Block
}

// While is `while Cond { Body }`.
type While struct {
	At   Pos
	Cond Expr
	Body *Block
}

// Break is `break`.
type Break struct{ At Pos }

// Continue is `continue`.
type Continue struct{ At Pos }

// Return is `return` or `return Value` (Value may be nil).
type Return struct {
	At    Pos
	Value Expr
}

// Decl is a top-level declaration `Kind Name { Block }` such as
// `network fig2 { ... }`; its handler is chosen by Kind.
type Decl struct {
	At     Pos
	Kind   string
	Name   string
	NameAt Pos
	Block  *Block
}

// NamedBlock is `Kind Name { Block }` or `Kind { Block }` inside a settings
// block, e.g. `type A { c = 1 }` or `lr { W = 1e-3 }`.
type NamedBlock struct {
	At    Pos
	Kind  string
	Name  string
	Block *Block
}

// FuncEq is a function equation `Name(Params) = Body`, e.g. psi(u) = tanh(u).
type FuncEq struct {
	At     Pos
	Name   string
	Params []string
	Body   Expr
}

// DerivEq is a derivative equation `dState/dt = Body`, e.g. du/dt = -u.
type DerivEq struct {
	At    Pos
	State string
	Body  Expr
}

// Every is a hook `every Count Unit { Block }`, e.g. every 4 epochs { }.
type Every struct {
	At    Pos
	Count Expr
	Unit  string
	Block *Block
}

// Position implementations.

func (n *NumberLit) Position() Pos  { return n.At }
func (n *StringLit) Position() Pos  { return n.At }
func (n *BoolLit) Position() Pos    { return n.At }
func (n *NilLit) Position() Pos     { return n.At }
func (n *Name) Position() Pos       { return n.At }
func (n *ListLit) Position() Pos    { return n.At }
func (n *RecordLit) Position() Pos  { return n.At }
func (n *Unary) Position() Pos      { return n.At }
func (n *Binary) Position() Pos     { return n.At }
func (n *SumJ) Position() Pos       { return n.At }
func (n *Call) Position() Pos       { return n.At }
func (n *Index) Position() Pos      { return n.At }
func (n *Slice) Position() Pos      { return n.At }
func (n *Field) Position() Pos      { return n.At }
func (n *Lambda) Position() Pos     { return n.At }
func (n *ExprStmt) Position() Pos   { return n.At }
func (n *Assign) Position() Pos     { return n.At }
func (n *Setting) Position() Pos    { return n.At }
func (n *Const) Position() Pos      { return n.At }
func (n *Seed) Position() Pos       { return n.At }
func (n *FnDecl) Position() Pos     { return n.At }
func (n *If) Position() Pos         { return n.At }
func (n *For) Position() Pos        { return n.At }
func (n *While) Position() Pos      { return n.At }
func (n *Break) Position() Pos      { return n.At }
func (n *Continue) Position() Pos   { return n.At }
func (n *Return) Position() Pos     { return n.At }
func (n *Decl) Position() Pos       { return n.At }
func (n *NamedBlock) Position() Pos { return n.At }
func (n *FuncEq) Position() Pos     { return n.At }
func (n *DerivEq) Position() Pos    { return n.At }
func (n *Every) Position() Pos      { return n.At }

func (*NumberLit) exprNode() {}
func (*StringLit) exprNode() {}
func (*BoolLit) exprNode()   {}
func (*NilLit) exprNode()    {}
func (*Name) exprNode()      {}
func (*ListLit) exprNode()   {}
func (*RecordLit) exprNode() {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*SumJ) exprNode()      {}
func (*Call) exprNode()      {}
func (*Index) exprNode()     {}
func (*Slice) exprNode()     {}
func (*Field) exprNode()     {}
func (*Lambda) exprNode()    {}

func (*ExprStmt) stmtNode()   {}
func (*Assign) stmtNode()     {}
func (*Setting) stmtNode()    {}
func (*Const) stmtNode()      {}
func (*Seed) stmtNode()       {}
func (*FnDecl) stmtNode()     {}
func (*If) stmtNode()         {}
func (*For) stmtNode()        {}
func (*While) stmtNode()      {}
func (*Break) stmtNode()      {}
func (*Continue) stmtNode()   {}
func (*Return) stmtNode()     {}
func (*Decl) stmtNode()       {}
func (*NamedBlock) stmtNode() {}
func (*FuncEq) stmtNode()     {}
func (*DerivEq) stmtNode()    {}
func (*Every) stmtNode()      {}
