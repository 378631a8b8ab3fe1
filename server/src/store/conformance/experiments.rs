//! Conformance: experiments (create, lifecycle, names, tags, search).

use super::*;

pub(super) async fn default_experiment_exists(store: Arc<SqlStore>) {
    let default = store.get_experiment(0).await.unwrap();
    assert_eq!(default.name, "Default");
    assert_eq!(default.artifact_location, format!("{ARTIFACT_ROOT}/0"));
    // Opening again (a restart) must not duplicate or fail.
    store.migrate().await.unwrap();
    assert_eq!(new_experiment(&store, "first").await, 1);
}

pub(super) async fn experiment_lifecycle(store: Arc<SqlStore>) {
    let id = new_experiment(&store, "life").await;
    let run_id = new_run(&store, id, "r", 10).await;
    store.delete_experiment(id, 2_000).await.unwrap();
    let exp = store.get_experiment(id).await.unwrap();
    assert_eq!(exp.lifecycle_stage, LifecycleStage::Deleted);
    assert_eq!(exp.last_update_time, Some(2_000));
    // Runs follow their experiment.
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    assert!(matches!(
        store.delete_experiment(id, 3_000).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(matches!(
        store.rename_experiment(id, "x", 3_000).await,
        Err(StoreError::InvalidState(_))
    ));
    store.restore_experiment(id, 4_000).await.unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    store.rename_experiment(id, "renamed", 5_000).await.unwrap();
    assert_eq!(
        store
            .get_experiment_by_name("renamed")
            .await
            .unwrap()
            .unwrap()
            .experiment_id,
        id.to_string()
    );
    assert!(store
        .get_experiment_by_name("life")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.get_experiment(999).await,
        Err(StoreError::NotFound(Entity::Experiment, _))
    ));
}

pub(super) async fn experiment_names_are_unique(store: Arc<SqlStore>) {
    let id = new_experiment(&store, "dup").await;
    store.delete_experiment(id, 2).await.unwrap();
    // Unique among active and deleted alike, as MLflow.
    let err = store
        .create_experiment(NewExperiment {
            name: "dup".into(),
            artifact_location: Some("s3://b/x".into()),
            tags: vec![],
            creation_time: 3,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyExists(ref m) if m.contains("dup")),
        "{err}"
    );
    let other = new_experiment(&store, "other").await;
    assert!(matches!(
        store.rename_experiment(other, "dup", 4).await,
        Err(StoreError::AlreadyExists(_))
    ));
}

pub(super) async fn experiment_tags(store: Arc<SqlStore>) {
    let id = store
        .create_experiment(NewExperiment {
            name: "tagged".into(),
            artifact_location: Some("file:///elsewhere".into()),
            tags: vec![ExperimentTag {
                key: "team".into(),
                value: "a".into(),
            }],
            creation_time: 1,
        })
        .await
        .unwrap();
    store
        .set_experiment_tag(
            id,
            &ExperimentTag {
                key: "team".into(),
                value: "b".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_experiment_tag(
            id,
            &ExperimentTag {
                key: "x".into(),
                value: "1".into(),
            },
        )
        .await
        .unwrap();
    let exp = store.get_experiment(id).await.unwrap();
    assert_eq!(exp.artifact_location, "file:///elsewhere");
    assert_eq!(
        exp.tags,
        vec![
            ExperimentTag {
                key: "team".into(),
                value: "b".into()
            },
            ExperimentTag {
                key: "x".into(),
                value: "1".into()
            },
        ]
    );
    // A search reads the same tags, in key order.
    let found = store
        .search_experiments(&ExperimentSearch {
            filter: parse_experiment_filter("name = 'tagged'").unwrap(),
            order_by: vec![],
            view: ViewType::ActiveOnly,
            max_results: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(found.items, vec![exp]);
    store.delete_experiment_tag(id, "x").await.unwrap();
    assert!(matches!(
        store.delete_experiment_tag(id, "x").await,
        Err(StoreError::NotFound(..))
    ));
    assert_eq!(store.get_experiment(id).await.unwrap().tags.len(), 1);
}

pub(super) async fn search_experiments_filters_and_pages(store: Arc<SqlStore>) {
    for i in 0..5 {
        let id = store
            .create_experiment(NewExperiment {
                name: format!("exp-{i}"),
                artifact_location: None,
                tags: vec![ExperimentTag {
                    key: "parity".into(),
                    value: (i % 2).to_string(),
                }],
                creation_time: 100 + i,
            })
            .await
            .unwrap();
        if i == 4 {
            store.delete_experiment(id, 500).await.unwrap();
        }
    }
    let search = |filter: &str, order: &[&str], view, max, offset| ExperimentSearch {
        filter: parse_experiment_filter(filter).unwrap(),
        order_by: parse_experiment_order_by(
            &order.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap(),
        view,
        max_results: max,
        offset,
    };
    let names = |page: &Page<ferroflow_protocol::Experiment>| {
        page.items
            .iter()
            .map(|e| e.name.clone())
            .collect::<Vec<_>>()
    };
    let page = store
        .search_experiments(&search(
            "name LIKE 'exp-%'",
            &["name ASC"],
            ViewType::ActiveOnly,
            2,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-0", "exp-1"]);
    assert_eq!(page.next_offset, Some(2));
    let page = store
        .search_experiments(&search(
            "name LIKE 'exp-%'",
            &["name ASC"],
            ViewType::ActiveOnly,
            2,
            2,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-2", "exp-3"]);
    assert_eq!(page.next_offset, None);
    let page = store
        .search_experiments(&search("tags.parity = '0'", &[], ViewType::All, 10, 0))
        .await
        .unwrap();
    // Default order: newest first.
    assert_eq!(names(&page), vec!["exp-4", "exp-2", "exp-0"]);
    // A search returns each experiment with its tags, and untagged ones with none.
    let parity = vec![ExperimentTag {
        key: "parity".into(),
        value: "0".into(),
    }];
    assert!(page.items.iter().all(|e| e.tags == parity));
    let page = store
        .search_experiments(&search("name = 'Default'", &[], ViewType::All, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["Default"]);
    assert!(page.items[0].tags.is_empty());
    let page = store
        .search_experiments(&search("", &[], ViewType::DeletedOnly, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-4"]);
    let page = store
        .search_experiments(&search(
            "name ILIKE 'EXP-1'",
            &[],
            ViewType::ActiveOnly,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-1"]);
}
