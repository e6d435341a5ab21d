//! The filter language's property tests: random well-formed expressions
//! mean what a reference evaluator, written apart, says they mean.

use super::*;
use proptest::prelude::*;

/// A random well-formed expression over the node schema, as a tree.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        prop::sample::select(&["controller", "router"][..]).prop_map(|v| Expr::Cmp {
            field: "type",
            op: Op::Eq,
            value: Operand::Text(v.into())
        }),
        ("[a-z0-9-]{1,8}", prop::sample::select(&[Op::Eq, Op::Ne, Op::Prefix, Op::Suffix, Op::Contains][..]))
            .prop_map(|(v, op)| Expr::Cmp { field: "name", op, value: Operand::Text(v) }),
        prop::sample::select(&STATES[..]).prop_map(|v| Expr::Cmp {
            field: "state",
            op: Op::Ne,
            value: Operand::Text(v.into())
        }),
        (0u32..100, prop::sample::select(&[Op::Gt, Op::Ge, Op::Lt, Op::Le, Op::Eq][..]))
            .prop_map(|(n, op)| Expr::Cmp { field: "identities", op, value: Operand::Number(n.into()) }),
        Just(Expr::Cmp { field: "healthy", op: Op::Eq, value: Operand::Bool(true) }),
        "[a-z0-9][a-z0-9-]{0,5}"
            .prop_filter("not a field or keyword", |w| NODE_SCHEMA.field(w).is_none()
                && !["and", "or", "not"].contains(&w.as_str()))
            .prop_map(Expr::Search),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

/// Writes `e` in the language, every group in parentheses, with keywords in
/// the spelling `style` picks.
fn print(e: &Expr, style: usize) -> String {
    let and = ["AND", "and", "&&"][style % 3];
    let or = ["OR", "or", "||"][style % 3];
    let join =
        |es: &[Expr], sep: &str| es.iter().map(|e| format!("({})", print(e, style))).collect::<Vec<_>>().join(sep);
    match e {
        Expr::All => String::new(),
        Expr::Not(e) => format!("{}({})", ["!", "NOT "][style % 2], print(e, style)),
        Expr::And(es) => join(es, &format!(" {and} ")),
        Expr::Or(es) => join(es, &format!(" {or} ")),
        Expr::Search(w) => w.clone(),
        Expr::Cmp { field, op, value } => match value {
            Operand::Bool(true) if *field == "healthy" => "healthy".into(),
            Operand::Text(s) => format!("{field}{}\"{s}\"", op.as_str()),
            Operand::Number(n) => format!("{field} {} {n}", op.as_str()),
            other => format!("{field}{}{other:?}", op.as_str()),
        },
    }
}

/// The reference meaning of a tree, written apart from the evaluator.
fn meaning(e: &Expr, r: &NodeRow) -> bool {
    match e {
        Expr::All => true,
        Expr::Not(e) => !meaning(e, r),
        Expr::And(es) => es.iter().all(|e| meaning(e, r)),
        Expr::Or(es) => es.iter().any(|e| meaning(e, r)),
        Expr::Search(w) => {
            let kind = if matches!(r.node, NodeId::Router(_)) { "router" } else { "controller" };
            let state = match r.health {
                Health::Ok => "ok",
                Health::Degraded => "degraded",
                Health::Down => "down",
                Health::Unknown => "unknown",
            };
            r.node.id().to_lowercase().contains(w.as_str()) || kind.contains(w.as_str()) || state == w
        }
        Expr::Cmp { field, op, value } => {
            let id = r.node.id().to_lowercase();
            match (*field, value) {
                ("type", Operand::Text(v)) => (v == "router") == matches!(r.node, NodeId::Router(_)),
                ("name", Operand::Text(v)) => match op {
                    Op::Eq => id == *v,
                    Op::Ne => id != *v,
                    Op::Prefix => id.starts_with(v.as_str()),
                    Op::Suffix => id.ends_with(v.as_str()),
                    _ => id.contains(v.as_str()),
                },
                ("state", Operand::Text(v)) => {
                    let s = match r.health {
                        Health::Ok => "ok",
                        Health::Degraded => "degraded",
                        Health::Down => "down",
                        Health::Unknown => "unknown",
                    };
                    s != v
                }
                ("identities", Operand::Number(n)) => {
                    let have = f64::from(r.identities.online);
                    match op {
                        Op::Gt => have > *n,
                        Op::Ge => have >= *n,
                        Op::Lt => have < *n,
                        Op::Le => have <= *n,
                        _ => have == *n,
                    }
                }
                ("healthy", _) => r.health == Health::Ok,
                _ => unreachable!("the strategy makes no other terms"),
            }
        }
    }
}

fn row() -> impl Strategy<Value = NodeRow> {
    (
        "[a-zA-Z0-9-]{1,10}",
        any::<bool>(),
        prop::sample::select(&[Health::Ok, Health::Degraded, Health::Down, Health::Unknown][..]),
        0u32..100,
    )
        .prop_map(|(id, is_router, health, online)| {
            let mut r = router(&id, health, online);
            if !is_router {
                r.node = NodeId::Controller(id);
            }
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Anything at all: a filter or an error whose column is inside the
    /// input (or just past its end); never a panic.
    #[test]
    fn any_input_parses_or_points_inside_itself(input in "\\PC{0,300}|[()!=<>^$*&| a-z\"0-9]{0,300}") {
        let len = input.chars().count();
        match Filter::parse(&input, &NODE_SCHEMA) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(e.col >= 1 && e.col <= len + 1, "col {} of {len}: {e}", e.col);
                prop_assert!(e.len >= 1);
            }
        }
        let _ = complete(&input, len / 2, &NODE_SCHEMA);
    }

    /// A printed tree parses back to the same tree, and means what the
    /// reference says on any node.
    #[test]
    fn printed_expressions_parse_back_and_mean_the_same(e in expr(), style in 0usize..6, rows in prop::collection::vec(row(), 1..8)) {
        let text = print(&e, style);
        let f = Filter::parse(&text, &NODE_SCHEMA).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
        prop_assert_eq!(&f.expr, &e, "{}", text);
        for r in &rows {
            prop_assert_eq!(f.matches(r), meaning(&e, r), "{} on {:?}", text, r.node);
        }
    }
}
