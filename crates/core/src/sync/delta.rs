//! A sorted list's change as the items that are new or differ and the keys
//! of those gone: how the topology's nodes and edges and the page's names
//! cross to the page without the whole list.
//!
//! Both sides keep their lists sorted by key, unique (the topology's own
//! order: nodes by id, edges by [`Edge::order`]); [`ListDelta::between`]
//! and [`ListDelta::apply`] are merge walks, linear in the lists' lengths.

use crate::layout::NodeId;
use crate::store::topology::{ControllerNode, Edge, EdgeKind, RouterNode};
use crate::EntityType;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt::Debug;

/// An item of a list that crosses as a [`ListDelta`].
pub trait Keyed: Clone + PartialEq {
    /// What identifies it from one version of the list to the next.
    type Key: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    /// Its key, owned (for the keys of removed items).
    fn key(&self) -> Self::Key;
    /// The list's order, without building keys.
    fn order(&self, other: &Self) -> Ordering;
    /// Its place against a key, in the same order.
    fn order_key(&self, key: &Self::Key) -> Ordering;
}

/// One list's change (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: DeserializeOwned"))]
pub struct ListDelta<T: Keyed> {
    /// Items new or changed, in the list's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub put: Vec<T>,
    /// Keys of the items gone, in the list's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<T::Key>,
}

impl<T: Keyed> Default for ListDelta<T> {
    fn default() -> Self {
        ListDelta { put: Vec::new(), remove: Vec::new() }
    }
}

impl<T: Keyed> ListDelta<T> {
    /// What turns `old` into `new` (both sorted, unique).
    pub fn between(old: &[T], new: &[T]) -> Self {
        let mut d = ListDelta::default();
        let (mut i, mut j) = (0, 0);
        loop {
            match (old.get(i), new.get(j)) {
                (Some(o), Some(n)) => match o.order(n) {
                    Ordering::Less => {
                        d.remove.push(o.key());
                        i += 1;
                    }
                    Ordering::Greater => {
                        d.put.push(n.clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        if o != n {
                            d.put.push(n.clone());
                        }
                        i += 1;
                        j += 1;
                    }
                },
                (Some(o), None) => {
                    d.remove.push(o.key());
                    i += 1;
                }
                (None, Some(n)) => {
                    d.put.push(n.clone());
                    j += 1;
                }
                (None, None) => return d,
            }
        }
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.remove.is_empty()
    }

    /// Applies it to `list` (sorted, unique), which stays so.
    pub fn apply(self, list: &mut Vec<T>) {
        if self.is_empty() {
            return;
        }
        let old = std::mem::take(list);
        list.reserve(old.len() + self.put.len());
        let mut put = self.put.into_iter().peekable();
        let mut remove = self.remove.iter().peekable();
        for item in old {
            while let Some(p) = put.next_if(|p| p.order(&item) == Ordering::Less) {
                list.push(p);
            }
            if let Some(p) = put.next_if(|p| p.order(&item) == Ordering::Equal) {
                list.push(p);
                continue;
            }
            while remove.next_if(|k| item.order_key(k) == Ordering::Greater).is_some() {}
            if remove.next_if(|k| item.order_key(k) == Ordering::Equal).is_some() {
                continue;
            }
            list.push(item);
        }
        list.extend(put);
    }
}

impl Keyed for ControllerNode {
    type Key = String;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn order(&self, other: &Self) -> Ordering {
        self.id.cmp(&other.id)
    }
    fn order_key(&self, key: &String) -> Ordering {
        self.id.cmp(key)
    }
}

impl Keyed for RouterNode {
    type Key = String;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn order(&self, other: &Self) -> Ordering {
        self.id.cmp(&other.id)
    }
    fn order_key(&self, key: &String) -> Ordering {
        self.id.cmp(key)
    }
}

/// An edge's identity: its kind, its ends and its link id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeKey(pub EdgeKind, pub NodeId, pub NodeId, pub Option<String>);

impl Keyed for Edge {
    type Key = EdgeKey;
    fn key(&self) -> EdgeKey {
        EdgeKey(self.kind, self.a.clone(), self.b.clone(), self.link.clone())
    }
    fn order(&self, other: &Self) -> Ordering {
        Edge::order(self, other)
    }
    fn order_key(&self, k: &EdgeKey) -> Ordering {
        Edge::key(self).cmp(&(k.0, &k.1, &k.2, &k.3))
    }
}

/// A router's or an identity's name, as the page holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub entity: EntityType,
    pub id: String,
    pub name: String,
}

impl Keyed for Name {
    type Key = (EntityType, String);
    fn key(&self) -> Self::Key {
        (self.entity, self.id.clone())
    }
    fn order(&self, other: &Self) -> Ordering {
        (self.entity, &self.id).cmp(&(other.entity, &other.id))
    }
    fn order_key(&self, k: &Self::Key) -> Ordering {
        (self.entity, &self.id).cmp(&(k.0, &k.1))
    }
}
