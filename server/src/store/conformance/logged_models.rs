//! Conformance: MLflow 3 logged models (lifecycle, metrics, model inputs, search).

use super::*;

pub(super) async fn logged_model_metrics(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "model-metrics").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    store
        .create_logged_model(NewLoggedModel {
            model_id: "m-0002".into(),
            experiment_id: exp,
            name: "model".into(),
            model_type: None,
            source_run_id: Some(run_id.clone()),
            params: vec![],
            tags: vec![],
            creation_time: 5,
        })
        .await
        .unwrap();
    let link = |metric: Metric, model_id: &str| ModelMetricLink {
        model_id: model_id.into(),
        metric,
        dataset_name: Some("eval".into()),
        dataset_digest: Some("abc".into()),
    };
    let mut linked = batch(vec![metric("acc", 0.5, 10, 1)], vec![], vec![]);
    linked.model_metrics = vec![link(metric("acc", 0.5, 10, 1), "m-0002")];
    // Logged twice: the model keeps the point once, like the run's history.
    for _ in 0..2 {
        store.log_batch(&run_id, &linked).await.unwrap();
    }
    let nan = metric("loss", f64::NAN, 11, 2);
    let mut second = batch(vec![nan.clone()], vec![], vec![]);
    second.model_metrics = vec![link(nan, "m-0002")];
    store.log_batch(&run_id, &second).await.unwrap();

    let model = store.get_logged_model("m-0002").await.unwrap();
    let metrics = &model.data.metrics;
    assert_eq!(metrics.len(), 2, "{metrics:?}");
    assert_eq!(
        (
            metrics[0].metric.key.as_str(),
            metrics[0].metric.value,
            metrics[0].metric.step
        ),
        ("acc", 0.5, 1)
    );
    assert_eq!(metrics[0].run_id, run_id);
    assert_eq!(metrics[0].dataset_digest.as_deref(), Some("abc"));
    assert!(metrics[1].metric.value.is_nan());

    // An unknown model fails the whole batch: not even the run's own point is written.
    let mut unknown = batch(vec![metric("f1", 0.9, 12, 3)], vec![], vec![]);
    unknown.model_metrics = vec![link(metric("f1", 0.9, 12, 3), "m-missing")];
    let err = store.log_batch(&run_id, &unknown).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(..)), "{err:?}");
    assert!(history(&store, &run_id, "f1").await.is_empty());
}

pub(super) async fn search_logged_models_by_metrics(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "scored-models").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    // Model a: acc 0.7 then 0.9 on "eval"; b: acc 0.8 on "train"; c: no metrics.
    let points = [
        ("m-a", 0.7, 1, "eval"),
        ("m-a", 0.9, 2, "eval"),
        ("m-b", 0.8, 1, "train"),
    ];
    for (i, id) in ["m-a", "m-b", "m-c"].into_iter().enumerate() {
        store
            .create_logged_model(NewLoggedModel {
                model_id: id.into(),
                experiment_id: exp,
                name: id.into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: i as i64,
            })
            .await
            .unwrap();
    }
    for (model_id, value, step, dataset) in points {
        let point = metric("acc", value, step, step);
        let mut linked = batch(vec![point.clone()], vec![], vec![]);
        linked.model_metrics = vec![ModelMetricLink {
            model_id: model_id.into(),
            metric: point,
            dataset_name: Some(dataset.into()),
            dataset_digest: None,
        }];
        store.log_batch(&run_id, &linked).await.unwrap();
    }
    let search = |clauses, datasets: Vec<(&str, Option<&str>)>, order_by| LoggedModelSearch {
        experiment_ids: vec![exp],
        clauses,
        datasets: datasets
            .into_iter()
            .map(|(n, d)| (n.to_owned(), d.map(str::to_owned)))
            .collect(),
        order_by,
        max_results: 10,
        offset: 0,
    };
    let ids = |page: Page<ferroflow_protocol::LoggedModel>| {
        page.items
            .into_iter()
            .map(|m| m.info.model_id)
            .collect::<Vec<_>>()
    };
    let above = |value| LoggedModelClause::Metric {
        key: "acc".into(),
        op: NumericOp::Gt,
        value,
    };
    let found = store
        .search_logged_models(&search(vec![above(0.75)], vec![], vec![]))
        .await
        .unwrap();
    assert_eq!(
        ids(found),
        vec!["m-b", "m-a"],
        "any point counts, newest first"
    );
    let found = store
        .search_logged_models(&search(vec![above(0.75)], vec![("train", None)], vec![]))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-b"]);
    let found = store
        .search_logged_models(&search(vec![], vec![("eval", None)], vec![]))
        .await
        .unwrap();
    assert_eq!(
        ids(found),
        vec!["m-a"],
        "datasets alone: models with metrics on them"
    );
    let by_acc = |ascending| {
        vec![(
            LoggedModelOrderKey::Metric {
                name: "acc".into(),
                dataset_name: None,
                dataset_digest: None,
            },
            ascending,
        )]
    };
    // a's latest acc is 0.9; c has none and sorts last either way.
    let found = store
        .search_logged_models(&search(vec![], vec![], by_acc(true)))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-b", "m-a", "m-c"]);
    let found = store
        .search_logged_models(&search(vec![], vec![], by_acc(false)))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-a", "m-b", "m-c"]);
}

pub(super) async fn runs_record_model_inputs(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let used = ModelInput {
        model_id: "m-0003".into(),
    };
    for _ in 0..2 {
        store
            .log_inputs(&run_id, &[], std::slice::from_ref(&used))
            .await
            .unwrap();
    }
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.inputs.model_inputs, vec![used]);
    assert!(run.inputs.dataset_inputs.is_empty());
}

pub(super) async fn logged_model_lifecycle(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "models").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    let model = store
        .create_logged_model(NewLoggedModel {
            model_id: "m-0001".into(),
            experiment_id: exp,
            name: "model".into(),
            model_type: Some("agent".into()),
            source_run_id: Some(run_id.clone()),
            params: vec![LoggedModelParameter {
                key: "lr".into(),
                value: "0.1".into(),
            }],
            tags: vec![LoggedModelTag {
                key: "t".into(),
                value: "1".into(),
            }],
            creation_time: 5,
        })
        .await
        .unwrap();
    assert_eq!(model.info.status, LoggedModelStatus::Pending);
    assert_eq!(model.info.experiment_id, exp.to_string());
    assert_eq!(
        model.info.artifact_uri,
        format!("{ARTIFACT_ROOT}/{exp}/models/m-0001/artifacts")
    );
    assert_eq!(model.data.params.len(), 1);
    assert_eq!(model.info.tags.len(), 1);

    let ready = store
        .finalize_logged_model("m-0001", LoggedModelStatus::Ready, 6)
        .await
        .unwrap();
    assert_eq!(ready.info.status, LoggedModelStatus::Ready);
    assert_eq!(ready.info.last_updated_timestamp_ms, Some(6));
    store
        .set_logged_model_tags(
            "m-0001",
            &[
                LoggedModelTag {
                    key: "t".into(),
                    value: "2".into(),
                },
                LoggedModelTag {
                    key: "u".into(),
                    value: "3".into(),
                },
            ],
        )
        .await
        .unwrap();
    store.delete_logged_model_tag("m-0001", "u").await.unwrap();
    assert!(matches!(
        store.delete_logged_model_tag("m-0001", "u").await,
        Err(StoreError::NotFound(..))
    ));
    store
        .log_logged_model_params(
            "m-0001",
            &[LoggedModelParameter {
                key: "epochs".into(),
                value: "3".into(),
            }],
        )
        .await
        .unwrap();
    let got = store.get_logged_model("m-0001").await.unwrap();
    assert_eq!(
        got.info.tags,
        vec![LoggedModelTag {
            key: "t".into(),
            value: "2".into()
        }]
    );
    assert_eq!(got.data.params.len(), 2);

    store
        .log_outputs(
            &run_id,
            &[ModelOutput {
                model_id: "m-0001".into(),
                step: 3,
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().outputs.model_outputs,
        vec![ModelOutput {
            model_id: "m-0001".into(),
            step: 3
        }]
    );
    assert!(matches!(
        store.log_outputs("nope", &[]).await,
        Err(StoreError::NotFound(Entity::Run, _))
    ));

    // Search by attribute and tag, in creation order.
    for (i, id) in ["m-0002", "m-0003"].iter().enumerate() {
        store
            .create_logged_model(NewLoggedModel {
                model_id: (*id).into(),
                experiment_id: exp,
                name: format!("other{i}"),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 10 + i as i64,
            })
            .await
            .unwrap();
    }
    let search = |clauses: Vec<LoggedModelClause>, max: i64, offset: i64| LoggedModelSearch {
        experiment_ids: vec![exp],
        clauses,
        datasets: vec![],
        order_by: vec![],
        max_results: max,
        offset,
    };
    let ids = |page: Page<ferroflow_protocol::LoggedModel>| {
        page.items
            .into_iter()
            .map(|m| m.info.model_id)
            .collect::<Vec<_>>()
    };
    let page = store
        .search_logged_models(&search(vec![], 2, 0))
        .await
        .unwrap();
    assert_eq!(page.next_offset, Some(2));
    assert_eq!(ids(page), vec!["m-0003", "m-0002"]);
    let page = store
        .search_logged_models(&search(
            crate::service::search::registry::logged_model_filter(
                "name = 'model' AND tags.t = '2' AND params.lr = '0.1'",
            )
            .unwrap(),
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(ids(page), vec!["m-0001"]);
    let page = store
        .search_logged_models(&search(
            vec![LoggedModelClause::Attribute {
                key: LoggedModelStringKey::Status,
                predicate: crate::service::search::StringPredicate::Compare(
                    crate::service::search::StringOp::Eq,
                    "LOGGED_MODEL_PENDING".into(),
                ),
            }],
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(ids(page), vec!["m-0003", "m-0002"]);

    // Deleted models read as absent.
    store.delete_logged_model("m-0002", 20).await.unwrap();
    assert!(matches!(
        store.get_logged_model("m-0002").await,
        Err(StoreError::NotFound(Entity::LoggedModel, m)) if m == "Logged model with ID 'm-0002' not found."
    ));
    assert_eq!(
        ids(store
            .search_logged_models(&search(vec![], 10, 0))
            .await
            .unwrap()),
        vec!["m-0003", "m-0001"]
    );
    // Only active experiments take new models.
    store.delete_experiment(exp, 30).await.unwrap();
    assert!(matches!(
        store
            .create_logged_model(NewLoggedModel {
                model_id: "m-0004".into(),
                experiment_id: exp,
                name: "late".into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 31,
            })
            .await,
        Err(StoreError::InvalidInput(_))
    ));
    assert!(matches!(
        store
            .create_logged_model(NewLoggedModel {
                model_id: "m-0005".into(),
                experiment_id: 999,
                name: "x".into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 31,
            })
            .await,
        Err(StoreError::NotFound(Entity::Experiment, _))
    ));
}
