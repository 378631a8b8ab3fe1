//! Conformance: runs (lifecycle, writes, params, names, inputs, gc, concurrency); their
//! searches are in `search.rs`.

use super::*;

pub(super) async fn run_lifecycle(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "runs").await;
    let run_id = new_run(&store, exp, "first", 1_000).await;
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.info.run_id.len(), 32);
    assert_eq!(run.info.status, RunStatus::Running);
    assert_eq!(run.info.user_id, "alice");
    assert_eq!(
        run.info.artifact_uri,
        format!("{ARTIFACT_ROOT}/{exp}/{run_id}/artifacts")
    );
    assert_eq!(store.get_run_info(&run_id).await.unwrap(), run.info);
    assert!(matches!(
        store.get_run_info("0".repeat(32).as_str()).await,
        Err(StoreError::NotFound(..))
    ));
    let info = store
        .update_run(
            &run_id,
            &RunUpdate {
                status: Some(RunStatus::Finished),
                end_time: Some(2_000),
                run_name: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (info.status, info.end_time, info.run_name.as_str()),
        (RunStatus::Finished, Some(2_000), "first")
    );
    store.delete_run(&run_id, 3_000).await.unwrap();
    // Deleting twice is accepted, as in MLflow's store.
    store.delete_run(&run_id, 3_000).await.unwrap();
    store.restore_run(&run_id).await.unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    assert!(matches!(
        store.get_run("0123456789abcdef0123456789abcdef").await,
        Err(StoreError::NotFound(Entity::Run, _))
    ));
    store.delete_experiment(exp, 4_000).await.unwrap();
    let err = store
        .create_run(NewRun {
            run_id: crate::service::new_uuid(),
            experiment_id: exp,
            user_id: String::new(),
            run_name: "late".into(),
            start_time: 5,
            tags: vec![],
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
}

pub(super) async fn deleted_runs_refuse_writes(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store.delete_run(&run_id, 2).await.unwrap();
    let err = store
        .log_batch(
            &run_id,
            &batch(vec![metric("m", 1.0, 1, 0)], vec![], vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidInput(ref m) if m.contains("must be in the 'active' state")),
        "{err}"
    );
    let unknown = "0123456789abcdef0123456789abcdef";
    assert!(matches!(
        store
            .log_batch(
                unknown,
                &batch(vec![metric("m", 1.0, 1, 0)], vec![], vec![])
            )
            .await,
        Err(StoreError::NotFound(Entity::Run, _))
    ));
    assert!(matches!(
        store.delete_tag(&run_id, "mlflow.runName").await,
        Err(StoreError::InvalidInput(_))
    ));
    assert!(matches!(
        store
            .update_run(
                &run_id,
                &RunUpdate {
                    status: Some(RunStatus::Failed),
                    end_time: None,
                    run_name: None
                }
            )
            .await,
        Err(StoreError::InvalidInput(_))
    ));
    // Nothing of the refused batch was written.
    store.restore_run(&run_id).await.unwrap();
    let history = store.get_metric_history(&run_id, "m", 0, None).await;
    assert!(history.unwrap().items.is_empty());
    assert!(store
        .get_run(&run_id)
        .await
        .unwrap()
        .data
        .metrics
        .is_empty());
}

pub(super) async fn params_are_immutable(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store
        .log_batch(&run_id, &batch(vec![], vec![("lr", "0.1")], vec![]))
        .await
        .unwrap();
    // The same value again is fine.
    store
        .log_batch(&run_id, &batch(vec![], vec![("lr", "0.1")], vec![]))
        .await
        .unwrap();
    // A changed value fails the whole batch: the new key beside it is not kept either.
    let err = store
        .log_batch(
            &run_id,
            &batch(vec![], vec![("epochs", "5"), ("lr", "0.2")], vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidInput(ref m) if m.contains("Changing param values is not allowed")),
        "{err}"
    );
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(
        run.data.params,
        vec![Param {
            key: "lr".into(),
            value: "0.1".into()
        }]
    );
}

/// A NUL character in a value is kept exactly (SQLite) or refused as bad input
/// (PostgreSQL text cannot hold it), never a store failure: in a new run's tags (one
/// JSON-bound statement on PostgreSQL) and in a log-batch (bound values).
pub(super) async fn nul_characters_are_kept_or_refused(store: Arc<SqlStore>) {
    let value = "a\0b";
    let kept_or_refused = |result: StoreResult<()>, what: &str| match result {
        Ok(()) => true,
        Err(StoreError::InvalidInput(_)) => false,
        Err(other) => panic!("{what}: {other:?}"),
    };
    let run_id = crate::service::new_uuid();
    let created = store
        .create_run(NewRun {
            run_id: run_id.clone(),
            experiment_id: 0,
            user_id: "alice".into(),
            run_name: "nul".into(),
            start_time: 1,
            tags: vec![RunTag {
                key: "t".into(),
                value: value.into(),
            }],
        })
        .await
        .map(drop);
    if kept_or_refused(created, "create run") {
        let run = store.get_run(&run_id).await.unwrap();
        assert!(run
            .data
            .tags
            .iter()
            .any(|t| t.key == "t" && t.value == value));
    }
    let run_id = new_run(&store, 0, "r", 1).await;
    let logged = store
        .log_batch(&run_id, &batch(vec![], vec![("p", value)], vec![]))
        .await;
    let run = store.get_run(&run_id).await.unwrap();
    if kept_or_refused(logged, "log batch") {
        assert_eq!(run.data.params[0].value, value);
    } else {
        assert!(run.data.params.is_empty());
    }
}

pub(super) async fn run_name_follows_tag(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "before", 1).await;
    store
        .log_batch(
            &run_id,
            &batch(vec![], vec![], vec![("mlflow.runName", "after")]),
        )
        .await
        .unwrap();
    assert_eq!(store.get_run(&run_id).await.unwrap().info.run_name, "after");
    let info = store
        .update_run(
            &run_id,
            &RunUpdate {
                status: None,
                end_time: None,
                run_name: Some("third".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(info.run_name, "third");
    let run = store.get_run(&run_id).await.unwrap();
    assert!(run.data.tags.contains(&RunTag {
        key: "mlflow.runName".into(),
        value: "third".into()
    }));
}

pub(super) async fn dataset_inputs(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "data").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    let other = new_run(&store, exp, "o", 2).await;
    let input = DatasetInput {
        tags: vec![InputTag {
            key: "mlflow.data.context".into(),
            value: "train".into(),
        }],
        dataset: Dataset {
            name: "airline".into(),
            digest: "abc123".into(),
            source_type: "local".into(),
            source: "{\"uri\": \"/data/airline.csv\"}".into(),
            schema: Some("{}".into()),
            profile: None,
        },
    };
    store
        .log_inputs(&run_id, std::slice::from_ref(&input), &[])
        .await
        .unwrap();
    store
        .log_inputs(&run_id, std::slice::from_ref(&input), &[])
        .await
        .unwrap(); // idempotent
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.inputs.dataset_inputs, vec![input]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "datasets.context = 'train' AND datasets.name = 'airline'",
            &[],
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|r| r.info.run_id.clone())
            .collect::<Vec<_>>(),
        vec![run_id]
    );
    assert!(store
        .get_run(&other)
        .await
        .unwrap()
        .inputs
        .dataset_inputs
        .is_empty());
}

pub(super) async fn garbage_collection(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "gc").await;
    let keep = new_run(&store, exp, "keep", 1).await;
    let old = new_run(&store, exp, "old", 1).await;
    let recent = new_run(&store, exp, "recent", 1).await;
    // Rows in every table a run logs to: metrics, latest, tiles, params, tags.
    let rows = batch(
        vec![metric("m", 1.0, 1, 1)],
        vec![("p", "1")],
        vec![("t", "1")],
    );
    for run in [&old, &keep] {
        store.log_batch(run, &rows).await.unwrap();
    }
    assert!(store.rows_of_run(&old).await >= 5);
    store.delete_run(&old, 1_000).await.unwrap();
    store.delete_run(&recent, 9_000).await.unwrap();
    assert_eq!(
        store.purge_deleted(Some(5_000), &[], &[]).await.unwrap(),
        (1, 0)
    );
    assert!(matches!(
        store.get_run(&old).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(
        history(&store, &old, "m").await.is_empty(),
        "history went with its run"
    );
    assert_eq!(
        store.rows_of_run(&old).await,
        0,
        "every row went with its run"
    );
    assert!(store.rows_of_run(&keep).await >= 5);
    assert!(store.get_run(&recent).await.is_ok());
    store.delete_experiment(exp, 10_000).await.unwrap();
    let (_, experiments) = store.purge_deleted(None, &[], &[]).await.unwrap();
    assert_eq!(experiments, 1);
    assert!(matches!(
        store.get_run(&keep).await,
        Err(StoreError::NotFound(..))
    ));
    assert_eq!(
        store.rows_of_run(&keep).await,
        0,
        "runs went with their experiment"
    );
}

/// Runs created at the same time (which PostgreSQL writes in batches) each get their own
/// answer: created with their tags, or refused for their own experiment or value alone.
pub(super) async fn concurrent_creates_fail_alone(store: Arc<SqlStore>) {
    let live = new_experiment(&store, "live").await;
    let dead = new_experiment(&store, "dead").await;
    store.delete_experiment(dead, 2_000).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..60i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let experiment_id = match i % 4 {
                0 => dead,
                1 => 999_999,
                _ => live,
            };
            let value = if i == 2 {
                "a\0b".to_owned()
            } else {
                format!("v{i}")
            };
            let new = NewRun {
                run_id: crate::service::new_uuid(),
                experiment_id,
                user_id: "u".into(),
                run_name: format!("r{i}"),
                start_time: i,
                tags: vec![
                    RunTag {
                        key: "mlflow.runName".into(),
                        value: format!("r{i}"),
                    },
                    RunTag {
                        key: "k".into(),
                        value,
                    },
                ],
            };
            (i, new.run_id.clone(), store.create_run(new).await)
        }));
    }
    for task in tasks {
        let (i, run_id, created) = task.await.unwrap();
        match (i % 4, created) {
            (0, Err(StoreError::InvalidInput(m))) => assert!(m.contains("active"), "{m}"),
            (1, Err(StoreError::NotFound(Entity::Experiment, _))) => {}
            // PostgreSQL text cannot hold NUL: refused, as a request of its own.
            (_, Err(StoreError::InvalidInput(_))) if i == 2 => {}
            (2 | 3, Ok(run)) => {
                assert_eq!(run.info.run_id, run_id);
                let stored = store.get_run(&run_id).await.unwrap();
                assert_eq!(stored.info.run_name, format!("r{i}"));
                assert!(stored
                    .info
                    .artifact_uri
                    .ends_with(&format!("/{run_id}/artifacts")));
                let tags: Vec<&str> = stored.data.tags.iter().map(|t| t.key.as_str()).collect();
                assert_eq!(tags, ["k", "mlflow.runName"], "run {i}");
            }
            (_, other) => panic!("run {i}: {other:?}"),
        }
    }
    // 30 runs were asked for in the live experiment; only the NUL one may be missing.
    let page = store
        .search_runs(&run_search(vec![live], "", &[], 100, 0))
        .await
        .unwrap();
    assert!(
        (29..=30).contains(&page.items.len()),
        "{}",
        page.items.len()
    );
}

pub(super) async fn concurrent_writers(store: Arc<SqlStore>) {
    // 20 writers logging at once must never see "database is locked", whichever of
    // SQLite's two writers (group commit, or the sqlx writer for experiment tags) takes
    // a write, and a batch that fails must fail alone, leaving its neighbours written.
    let run_ids: Vec<String> = {
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(new_run(&store, 0, &format!("w{i}"), i).await);
        }
        ids
    };
    let mut tasks = Vec::new();
    for (w, run_id) in run_ids.iter().cloned().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10i64 {
                let points = (0..50)
                    .map(|i| {
                        metric(
                            "m",
                            (w as i64 * 1000 + round * 50 + i) as f64,
                            round,
                            round * 50 + i,
                        )
                    })
                    .collect();
                let param = format!("p{round}");
                store
                    .log_batch(
                        &run_id,
                        &batch(points, vec![(&param, "a")], vec![("round", "x")]),
                    )
                    .await
                    .expect("concurrent log_batch");
                let conflicting = batch(
                    vec![metric("bad", 1.0, round, round)],
                    vec![(&param, "b")],
                    vec![("bad", "x")],
                );
                assert!(matches!(
                    store.log_batch(&run_id, &conflicting).await,
                    Err(StoreError::InvalidInput(_))
                ));
                let tag = ExperimentTag {
                    key: format!("writer{w}"),
                    value: round.to_string(),
                };
                store
                    .set_experiment_tag(0, &tag)
                    .await
                    .expect("concurrent experiment tag");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for run_id in &run_ids {
        assert_eq!(history(&store, run_id, "m").await.len(), 500);
        assert!(history(&store, run_id, "bad").await.is_empty());
        let run = store.get_run(run_id).await.unwrap();
        assert_eq!(run.data.params.len(), 10);
        assert!(run.data.tags.iter().all(|t| t.key != "bad"));
    }
    let experiment = store.get_experiment(0).await.unwrap();
    assert_eq!(
        experiment
            .tags
            .iter()
            .filter(|t| t.key.starts_with("writer") && t.value == "9")
            .count(),
        20
    );
}
