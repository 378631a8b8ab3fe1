//! The typed tracking API: experiments, runs, search, inputs, errors, artifacts.

use ferroflow_sdk::messages::experiments::SearchExperiments;
use ferroflow_sdk::{
    Dataset, DatasetInput, Error, ErrorCode, InputTag, LifecycleStage, Metric, RunStatus, StartRun,
    ViewType,
};

use crate::common::{store_tests, TestServer};

store_tests!(
    experiments_round_trip,
    nested_runs_and_search,
    server_errors_carry_mlflow_codes,
    log_batch_retried_whole_writes_no_duplicates,
    artifacts_on_local_storage,
);

fn experiments_round_trip(server: &mut TestServer) {
    let client = server.client();
    assert_eq!(client.get_experiment_by_name("exp-a").unwrap(), None);
    let id = client.get_or_create_experiment("exp-a").unwrap();
    assert_eq!(client.get_or_create_experiment("exp-a").unwrap(), id);
    assert_eq!(client.get_experiment(&id).unwrap().name, "exp-a");

    client.set_experiment_tag(&id, "team", "vision").unwrap();
    client.rename_experiment(&id, "exp-b").unwrap();
    let renamed = client.get_experiment_by_name("exp-b").unwrap().unwrap();
    assert_eq!(renamed.experiment_id, id);
    assert!(renamed
        .tags
        .iter()
        .any(|t| t.key == "team" && t.value == "vision"));
    client.delete_experiment_tag(&id, "team").unwrap();
    assert!(client.get_experiment(&id).unwrap().tags.is_empty());

    let found = client
        .search_experiments(&SearchExperiments {
            filter: Some("name = 'exp-b'".into()),
            ..SearchExperiments::default()
        })
        .unwrap();
    assert_eq!(found.experiments.len(), 1);

    client.delete_experiment(&id).unwrap();
    let deleted = client
        .search_experiments(&SearchExperiments {
            view_type: Some(ViewType::DeletedOnly),
            ..SearchExperiments::default()
        })
        .unwrap();
    assert_eq!(deleted.experiments.len(), 1);
    client.restore_experiment(&id).unwrap();
    assert_eq!(
        client.get_experiment(&id).unwrap().lifecycle_stage,
        LifecycleStage::Active
    );
}

fn nested_runs_and_search(server: &mut TestServer) {
    let client = server.client();
    let experiment_id = client.get_or_create_experiment("search").unwrap();
    let parent = client
        .start_run(
            StartRun::new()
                .experiment_id(&experiment_id)
                .run_name("parent"),
        )
        .unwrap();
    let parent_id = parent.run_id().to_string();
    for (i, lr) in ["0.1", "0.01"].iter().enumerate() {
        let child = client
            .start_run(
                StartRun::new()
                    .experiment_id(&experiment_id)
                    .run_name(format!("child-{i}"))
                    .parent_run_id(&parent_id),
            )
            .unwrap();
        child.log_param("lr", lr).unwrap();
        child.log_metric("loss", 0.2 + i as f64, 0).unwrap();
        child.end(RunStatus::Finished).unwrap();
    }
    parent.end(RunStatus::Finished).unwrap();

    let children = client
        .search_all_runs(
            &[&experiment_id],
            &format!("tags.mlflow.parentRunId = '{parent_id}'"),
        )
        .unwrap();
    assert_eq!(children.len(), 2);
    let good = client
        .search_all_runs(
            &[&experiment_id],
            "metrics.loss < 0.5 and params.lr = '0.1'",
        )
        .unwrap();
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].info.run_name, "child-0");
    assert_eq!(good[0].info.status, RunStatus::Finished);
    assert_eq!(
        client.search_all_runs(&[&experiment_id], "").unwrap().len(),
        3
    );

    let child_id = good[0].info.run_id.clone();
    let dataset = DatasetInput {
        tags: vec![InputTag {
            key: "mlflow.data.context".into(),
            value: "train".into(),
        }],
        dataset: Dataset {
            name: "mnist".into(),
            digest: "abc123".into(),
            source_type: "local".into(),
            source: "{}".into(),
            ..Dataset::default()
        },
    };
    client
        .log_inputs(&child_id, std::slice::from_ref(&dataset))
        .unwrap();
    let run = client.get_run(&child_id).unwrap();
    assert_eq!(run.inputs.dataset_inputs, [dataset]);

    client.delete_run(&child_id).unwrap();
    assert_eq!(
        client.get_run(&child_id).unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    client.restore_run(&child_id).unwrap();
    client.delete_tag(&child_id, "mlflow.parentRunId").unwrap();
    assert!(client
        .get_run(&child_id)
        .unwrap()
        .data
        .tags
        .iter()
        .all(|t| t.key != "mlflow.parentRunId"));
}

fn server_errors_carry_mlflow_codes(server: &mut TestServer) {
    let client = server.client();
    let missing = client.get_run(&"0".repeat(32)).unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert!(
        matches!(missing, Error::Api { status: 404, .. }),
        "{missing:?}"
    );

    let run = client.start_run(StartRun::new()).unwrap();
    // Invalid on the server only (a negative timestamp): the batch is refused with
    // 400, not retried, and the loss is reported by the next flush.
    run.log_metric_at("loss", 1.0, 0, -1).unwrap();
    let error = run.flush().unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(ErrorCode::InvalidParameterValue),
        "{error}"
    );
    assert!(
        matches!(&error, Error::Logging { lost: 1, .. }),
        "{error:?}"
    );
    // The worker carries on after reporting.
    run.log_metric("loss", 2.0, 1).unwrap();
    run.flush().unwrap();
    let history = client.get_metric_history(run.run_id(), "loss").unwrap();
    assert_eq!(history.len(), 1);

    // Refused before sending: bad key, changed param.
    assert!(matches!(
        run.log_metric("bad:key", 1.0, 0),
        Err(Error::InvalidArgument(_))
    ));
    run.log_param("lr", 0.1).unwrap();
    run.log_param("lr", 0.1).unwrap();
    assert!(matches!(
        run.log_param("lr", 0.2),
        Err(Error::InvalidArgument(_))
    ));
    run.end(RunStatus::Finished).unwrap();
}

fn log_batch_retried_whole_writes_no_duplicates(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    let metrics: Vec<Metric> = (0..10)
        .map(|step| Metric {
            key: "acc".into(),
            value: step as f64 / 10.0,
            timestamp: 1_700_000_000_000 + step,
            step,
        })
        .collect();
    // What a retry after a lost acknowledgement sends: the same bytes twice.
    client.log_batch(run.run_id(), &metrics, &[], &[]).unwrap();
    client.log_batch(run.run_id(), &metrics, &[], &[]).unwrap();
    assert_eq!(
        client.get_metric_history(run.run_id(), "acc").unwrap(),
        metrics
    );
    run.end(RunStatus::Finished).unwrap();
}

fn artifacts_on_local_storage(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    assert!(
        run.info()
            .artifact_uri
            .starts_with(&server.artifact_root.display().to_string()),
        "{}",
        run.info().artifact_uri
    );
    let source = tempfile::tempdir().unwrap();
    let model_dir = source.path().join("model");
    std::fs::create_dir_all(model_dir.join("weights")).unwrap();
    std::fs::write(model_dir.join("config.json"), "{\"units\": 64}").unwrap();
    std::fs::write(model_dir.join("weights/w.bin"), [1u8, 2, 3]).unwrap();
    let report = source.path().join("report.txt");
    std::fs::write(&report, "accuracy 0.98").unwrap();

    run.log_text("converged at step 90", "notes/summary.txt")
        .unwrap();
    run.log_artifact(&report, None).unwrap();
    run.log_artifact(&model_dir, Some("outputs")).unwrap();

    let root: Vec<(String, bool)> = client
        .list_artifacts(run.run_id(), None)
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.is_dir))
        .collect();
    assert_eq!(
        root,
        [
            ("notes".to_string(), true),
            ("outputs".to_string(), true),
            ("report.txt".to_string(), false)
        ]
    );
    let model = run.list_artifacts(Some("outputs/model")).unwrap();
    assert_eq!(model[0].path, "outputs/model/config.json");
    assert_eq!(model[0].file_size, Some(13));
    assert!(model[1].is_dir);

    let destination = tempfile::tempdir().unwrap();
    let summary = client
        .download_artifacts(run.run_id(), "notes/summary.txt", destination.path())
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(summary).unwrap(),
        "converged at step 90"
    );
    let downloaded = run
        .download_artifacts("outputs", destination.path())
        .unwrap();
    assert_eq!(
        std::fs::read(downloaded.join("model/weights/w.bin")).unwrap(),
        [1, 2, 3]
    );
    run.end(RunStatus::Finished).unwrap();
}
