// The .dlm model language (see shared/dlm/LANGUAGE.md and docs/LANGUAGE-REFERENCE.md).
// Newlines are not significant: no statement can continue with the first token of
// another statement, so statements need no separator (a ';' is accepted and ignored).
grammar Dlm;

file      : topLevel* EOF ;
topLevel  : defDecl | modelDecl ;

defDecl   : DEF name=ID LPAREN (ID (COMMA ID)*)? RPAREN block ;
modelDecl : MODEL name=ID block ;

block     : LBRACE stmt* RBRACE ;

stmt
    : INPUT name=ID COLON typeSpec SEMI?                                   # inputStmt
    | OUTPUT name=ID (ASSIGN expr)? SEMI?                                  # outputStmt
    | name=ID ASSIGN expr SEMI?                                            # bindStmt
    | FOR var=ID IN expr block                                             # forStmt
    | IF expr block (ELSE (block | elseIf=stmt))?                          # ifStmt
    | TRAIN LBRACE trainItem* RBRACE                                       # trainStmt
    | RETURN expr SEMI?                                                    # returnStmt
    ;

// `[30]`, `i32[10]`, `class(10)`
typeSpec
    : dtype=ID? LBRACK (expr (COMMA expr)*)? RBRACK                        # tensorType
    | kind=ID LPAREN expr RPAREN                                           # classType
    ;

trainItem
    : TARGET name=ID COLON typeSpec SEMI?                                  # targetItem
    | key=ID ASSIGN nameList SEMI?                                         # listItem
    | key=ID ASSIGN expr SEMI?                                             # exprItem
    ;

// Layer names and prefix patterns: `[head, layer1.0*]`
nameList  : LBRACK (namePattern (COMMA namePattern)*)? RBRACK ;
namePattern : ID (DOT (ID | NUMBER) | NUMBER)* STAR? ;

expr
    : MINUS expr                                                           # negExpr
    | expr op=(STAR | SLASH) expr                                          # mulExpr
    | expr op=(PLUS | MINUS) expr                                          # addExpr
    | expr op=DOTDOT expr                                                  # rangeExpr
    | expr op=(EQ | NE | LT | LE | GT | GE) expr                           # cmpExpr
    | expr op=ARROW (call | ID)                                            # pipeExpr
    | primary                                                              # primaryExpr
    ;

primary
    : NUMBER                                                               # numberLit
    | (TRUE | FALSE)                                                       # boolLit
    | call                                                                 # callExpr
    | ID                                                                   # nameRef
    | LBRACK (expr (COMMA expr)*)? COMMA? RBRACK                           # listLit
    | LPAREN expr RPAREN                                                   # parenExpr
    ;

call      : name=ID LPAREN (arg (COMMA arg)*)? COMMA? RPAREN ;
arg       : (key=ID ASSIGN)? expr ;

DEF    : 'def' ;
MODEL  : 'model' ;
INPUT  : 'input' ;
OUTPUT : 'output' ;
RETURN : 'return' ;
FOR    : 'for' ;
IN     : 'in' ;
IF     : 'if' ;
ELSE   : 'else' ;
TRAIN  : 'train' ;
TARGET : 'target' ;
TRUE   : 'true' ;
FALSE  : 'false' ;

ARROW  : '->' ;
DOTDOT : '..' ;
EQ     : '==' ;
NE     : '!=' ;
LE     : '<=' ;
GE     : '>=' ;
LT     : '<' ;
GT     : '>' ;
ASSIGN : '=' ;
PLUS   : '+' ;
MINUS  : '-' ;
STAR   : '*' ;
SLASH  : '/' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
LBRACE : '{' ;
RBRACE : '}' ;
COMMA  : ',' ;
COLON  : ':' ;
SEMI   : ';' ;
DOT    : '.' ;

// A fraction needs digits after the point, so `0..4` lexes as 0, .., 4.
NUMBER : DIGIT+ ('.' DIGIT+)? ([eE] [+-]? DIGIT+)? ;
ID     : [A-Za-z_] [A-Za-z0-9_]* ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t\r\n\f]+ -> skip ;
// Anything else becomes one token the parser cannot use, so the error names it.
BAD     : . ;

fragment DIGIT : [0-9] ;
