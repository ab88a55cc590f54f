// Package lang turns .ngs source text into a checked syntax tree.
//
// The pipeline is: a hand-written lexer (linear time, with limits on line
// length and bracket nesting) feeds a participle v2 grammar for statements;
// expressions are parsed by precedence climbing inside that grammar. The raw
// parse tree is then converted into the AST of ast.go, where every node has a
// position, and Check runs the static checks (undefined names with "did you
// mean" hints, arity, duplicate definitions, constant reassignment, equation
// parameters missing from a network's types). All errors found are returned
// as an ErrorList, each rendered as FILE:LINE:COL: message, then the source
// line and a caret.
//
// The contract for the language itself is docs/LANGUAGE.md.
package lang
