package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar of statements. These raw parse-tree types are
// converted into the AST of ast.go by convert.go; expressions are parsed by
// the precedence-climbing production parseExpression.

type gFile struct {
	Stmts []*gStmt `parser:"Sep* ( @@ ( Sep+ @@ )* Sep* )?"`
}

type gBlock struct {
	Pos   lexer.Position
	Stmts []*gStmt `parser:"\"{\" Sep* ( @@ ( Sep+ @@ )* Sep* )?"`
	Close *gToken  `parser:"@@"`
}

type gToken struct {
	Pos   lexer.Position
	Value string `parser:"@\"}\""`
}

type gStmt struct {
	Pos      lexer.Position
	Fn       *gFn     `parser:"  @@"`
	If       *gIf     `parser:"| @@"`
	For      *gFor    `parser:"| @@"`
	While    *gWhile  `parser:"| @@"`
	Break    bool     `parser:"| @\"break\""`
	Continue bool     `parser:"| @\"continue\""`
	Return   *gReturn `parser:"| @@"`
	Const    *gConst  `parser:"| @@"`
	Seed     *gSeed   `parser:"| @@"`
	Every    *gEvery  `parser:"| @@"`
	Named    *gNamed  `parser:"| @@"`
	Simple   *gSimple `parser:"| @@"`
}

type gFn struct {
	Name   string    `parser:"\"fn\" @Ident"`
	Params []*gParam `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
	Expr   Expr      `parser:"( \"=\" @@"`
	Body   *gBlock   `parser:"| @@ )"`
}

type gParam struct {
	Pos     lexer.Position
	Name    string `parser:"@Ident"`
	Default Expr   `parser:"( \"=\" @@ )?"`
}

type gIf struct {
	Cond   Expr    `parser:"\"if\" @@"`
	Then   *gBlock `parser:"@@"`
	ElseIf *gIf    `parser:"( Sep? \"else\" ( @@"`
	Else   *gBlock `parser:"| @@ ) )?"`
}

type gFor struct {
	Var  string  `parser:"\"for\" @Ident \"in\""`
	Iter Expr    `parser:"@@"`
	Body *gBlock `parser:"@@"`
}

type gWhile struct {
	Cond Expr    `parser:"\"while\" @@"`
	Body *gBlock `parser:"@@"`
}

type gReturn struct {
	Keyword string `parser:"@\"return\""`
	Value   Expr   `parser:"@@?"`
}

type gConst struct {
	Name  string `parser:"\"const\" @Ident \"=\""`
	Value Expr   `parser:"@@"`
}

type gSeed struct {
	Value Expr `parser:"\"seed\" @@"`
}

type gEvery struct {
	Count Expr    `parser:"\"every\" @@"`
	Unit  string  `parser:"@Ident"`
	Body  *gBlock `parser:"@@"`
}

type gNamed struct {
	Kind string  `parser:"@Ident"`
	Name *gIdent `parser:"@@?"`
	Body *gBlock `parser:"@@"`
}

type gIdent struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

type gSimple struct {
	LHS    Expr           `parser:"(?! Ident Ident? \"{\") @@"`
	Assign *gAssignSymbol `parser:"( @@"`
	RHS    Expr           `parser:"  @@ )?"`
	Block  *gBlock        `parser:"@@?"`
}

type gAssignSymbol struct {
	Pos   lexer.Position
	Value string `parser:"@\"=\""`
}

var grammar = participle.MustBuild[gFile](
	participle.Lexer(tokenDefinition{}),
	participle.ParseTypeWith(parseExpression),
	participle.UseLookahead(grammarLookahead),
)

// grammarLookahead is how many tokens a failing alternative may consume
// before its error is final. It is small on purpose: unbounded lookahead
// makes nested blocks with an error backtrack exponentially. Three tokens
// tell `seed 1` from `seed = 1`, `type A {` from `x = 1` and `} else`
// from `} Sep else`.
const grammarLookahead = 3
