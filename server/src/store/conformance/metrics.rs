//! Conformance: metric points (latest-metric rules, special values, atomic batches,
//! history pages, windows, bulk-interval sampling).

use super::*;

pub(super) async fn latest_metric_rules(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    // Higher step wins even when logged first and older.
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("a", 5.0, 10, 3)], vec![], vec![]),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("a", 7.0, 99, 2)], vec![], vec![]),
        )
        .await
        .unwrap();
    // Same step: later timestamp wins; same step and timestamp: larger value wins.
    store
        .log_batch(
            &run_id,
            &batch(
                vec![metric("b", 1.0, 5, 1), metric("b", 0.5, 6, 1)],
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("c", 1.0, 5, 1)], vec![], vec![]),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(
                vec![metric("c", 2.0, 5, 1), metric("c", 0.0, 5, 1)],
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    let run = store.get_run(&run_id).await.unwrap();
    let latest: Vec<(String, f64)> = run
        .data
        .metrics
        .iter()
        .map(|m| (m.key.clone(), m.value))
        .collect();
    assert_eq!(
        latest,
        vec![("a".into(), 5.0), ("b".into(), 0.5), ("c".into(), 2.0)]
    );
}

pub(super) async fn special_values_survive(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points = vec![
        metric("x", f64::NAN, 1, 0),
        metric("x", f64::INFINITY, 1, 1),
        metric("x", f64::NEG_INFINITY, 1, 2),
        metric("x", -0.125, 1, 3),
        metric("x", 1e300, 1, 4),
    ];
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let values: Vec<f64> = history(&store, &run_id, "x")
        .await
        .iter()
        .map(|m| m.value)
        .collect();
    assert!(values[0].is_nan());
    assert_eq!(
        &values[1..],
        &[f64::INFINITY, f64::NEG_INFINITY, -0.125, 1e300]
    );
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("y", f64::NAN, 1, 9)], vec![], vec![]),
        )
        .await
        .unwrap();
    let run = store.get_run(&run_id).await.unwrap();
    assert!(run
        .data
        .metrics
        .iter()
        .find(|m| m.key == "y")
        .unwrap()
        .value
        .is_nan());

    // Both reads give back the stored double bit for bit, the latest point too.
    let exact = [0.1 + 0.2, f64::MIN_POSITIVE / 3.0, -f64::MAX, f64::INFINITY];
    let points = exact
        .iter()
        .enumerate()
        .map(|(i, v)| metric("z", *v, 2, i as i64))
        .collect();
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let read: Vec<u64> = history(&store, &run_id, "z")
        .await
        .iter()
        .map(|m| m.value.to_bits())
        .collect();
    let written: Vec<u64> = exact.iter().map(|v| v.to_bits()).collect();
    assert_eq!(read, written);
    let run = store.get_run(&run_id).await.unwrap();
    let latest = run.data.metrics.iter().find(|m| m.key == "z").unwrap();
    assert_eq!(latest.value, f64::INFINITY);
}

pub(super) async fn log_batch_is_atomic(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store
        .log_batch(&run_id, &batch(vec![], vec![("p", "1")], vec![]))
        .await
        .unwrap();
    let bad = batch(
        (0..100).map(|i| metric("m", i as f64, 1, i)).collect(),
        vec![("q", "new"), ("p", "changed")],
        vec![("t", "v")],
    );
    assert!(store.log_batch(&run_id, &bad).await.is_err());
    let run = store.get_run(&run_id).await.unwrap();
    assert!(
        history(&store, &run_id, "m").await.is_empty(),
        "metrics of a failed batch were written"
    );
    assert_eq!(
        run.data.params.len(),
        1,
        "params of a failed batch were written"
    );
    assert!(
        run.data.tags.iter().all(|t| t.key != "t"),
        "tags of a failed batch were written"
    );
}

pub(super) async fn duplicate_points_are_ignored(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points: Vec<Metric> = (0..10).map(|i| metric("m", i as f64, 100, i)).collect();
    store
        .log_batch(&run_id, &batch(points.clone(), vec![], vec![]))
        .await
        .unwrap();
    // A retried request (same points) leaves exactly one copy of each.
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    assert_eq!(history(&store, &run_id, "m").await.len(), 10);
}

pub(super) async fn metric_history_pages(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points: Vec<Metric> = (0..1000)
        .rev()
        .map(|i| metric("loss", 1.0 / (i + 1) as f64, i, i))
        .collect();
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let all = history(&store, &run_id, "loss").await;
    assert_eq!(all.len(), 1000);
    assert!(
        all.windows(2).all(|w| w[0].step < w[1].step),
        "history is in step order"
    );
    let first = store
        .get_metric_history(&run_id, "loss", 0, Some(400))
        .await
        .unwrap();
    assert_eq!((first.items.len(), first.next_offset), (400, Some(400)));
    let last = store
        .get_metric_history(&run_id, "loss", 800, Some(400))
        .await
        .unwrap();
    assert_eq!((last.items.len(), last.next_offset), (200, None));
    assert_eq!(last.items[0].step, 800);
    assert!(history(&store, &run_id, "nope").await.is_empty());
}

pub(super) async fn metric_windows(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    // Steps rise while timestamps fall, so the two axes order points differently.
    let mut points: Vec<Metric> = (0..100)
        .map(|i| metric("m", i as f64, 1_000 - i, i))
        .collect();
    points.push(metric("m", f64::NAN, 2_000, 100));
    points.push(metric("m", f64::NEG_INFINITY, 2_001, 101));
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let window = |by_timestamp, start, end| MetricWindow {
        by_timestamp,
        start,
        end,
    };
    let steps = store
        .get_metric_window(&run_id, "m", window(false, 10, 19))
        .await
        .unwrap();
    assert_eq!(
        steps.iter().map(|p| p.step).collect::<Vec<_>>(),
        (10..20).collect::<Vec<_>>()
    );
    assert_eq!((steps[0].timestamp, steps[0].value), (990, 10.0));
    let times = store
        .get_metric_window(&run_id, "m", window(true, 990, 999))
        .await
        .unwrap();
    assert_eq!(
        times.iter().map(|p| p.timestamp).collect::<Vec<_>>(),
        (990..1000).collect::<Vec<_>>(),
        "a time window is in timestamp order"
    );
    let tail = store
        .get_metric_window(&run_id, "m", window(false, 100, i64::MAX))
        .await
        .unwrap();
    assert!(tail[0].value.is_nan());
    assert_eq!(tail[1].value, f64::NEG_INFINITY);
    let everything = window(false, i64::MIN, i64::MAX);
    assert_eq!(
        store
            .get_metric_window(&run_id, "m", everything)
            .await
            .unwrap()
            .len(),
        102
    );
    assert!(store
        .get_metric_window(&run_id, "other", everything)
        .await
        .unwrap()
        .is_empty());
}

/// Tiles written batch by batch (appends, out-of-order points, client retries that
/// repeat stored points, NaN and infinities, negative steps) equal the tiles migration
/// 0004 computes from the whole history.
pub(super) async fn metric_tiles_follow_every_write(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let other = new_run(&store, 0, "o", 2).await;
    let log = |run: String, points: Vec<Metric>| {
        let store = store.clone();
        async move {
            store
                .log_batch(&run, &batch(points, vec![], vec![]))
                .await
                .unwrap()
        }
    };
    // A 1,000-step history appended in batches of 100, with spikes.
    for chunk in 0..10 {
        let points = (chunk * 100..chunk * 100 + 100)
            .map(|i| {
                let value = match i {
                    333 => 1e6,
                    777 => f64::NEG_INFINITY,
                    500 => f64::NAN,
                    _ => (i as f64 * 0.1).sin(),
                };
                metric("loss", value, 1_000 + i, i)
            })
            .collect();
        log(run_id.clone(), points).await;
    }
    // Late points inside stored tiles, same step with other timestamps and values.
    log(
        run_id.clone(),
        vec![
            metric("loss", -7.0, 5, 300),
            metric("loss", 2.0, 1_300, 300),
            metric("loss", 2.5, 9_999, 128),
        ],
    )
    .await;
    // A retry repeating stored points with one new point, given twice: nothing is
    // counted twice (its tiles are recomputed; the others above stay as merged).
    log(
        run_id.clone(),
        vec![
            metric("loss", (10.0f64 * 0.1).sin(), 1_010, 10),
            metric("loss", (20.0f64 * 0.1).sin(), 1_020, 20),
            metric("loss", 4.0, 50, 30),
            metric("loss", 4.0, 50, 30),
        ],
    )
    .await;
    // A new point given twice in one batch is one point.
    log(
        run_id.clone(),
        vec![metric("loss", 5.0, 60, 40), metric("loss", 5.0, 60, 40)],
    )
    .await;
    // Negative steps, an all-NaN tile, a second key and a second run.
    log(
        run_id.clone(),
        vec![
            metric("loss", 1.0, 1, -1),
            metric("loss", 3.0, 1, -128),
            metric("loss", 2.0, 1, -129),
            metric("acc", f64::NAN, 1, 5),
            metric("acc", f64::NAN, 2, 6),
            metric("acc", f64::INFINITY, 3, 200),
        ],
    )
    .await;
    log(other.clone(), vec![metric("loss", 1.0, 1, 1)]).await;

    let written = store.tiles_as_text().await;
    store.rebuild_tiles_as_migration().await;
    assert_eq!(written, store.tiles_as_text().await);
    let loss = store
        .get_metric_tiles(&run_id, "loss", i64::MIN / 128, i64::MAX / 128)
        .await
        .unwrap();
    let counted: i64 = loss.iter().map(|t| t.point_count).sum();
    assert_eq!(
        counted,
        1_000 + 3 + 1 + 1 + 3,
        "the repeated points count once"
    );
}

/// Reading tiles: only the asked range, with each tile's four points and NaN kept.
pub(super) async fn metric_tiles_read_by_range(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let mut points: Vec<Metric> = (0..400).map(|i| metric("m", 1.0, 10 + i, i)).collect();
    points[200].value = 9.0;
    points[201].value = -9.0;
    points[255].value = f64::NAN;
    points.push(metric("m", f64::INFINITY, 5, 130));
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let tiles = store.get_metric_tiles(&run_id, "m", 1, 2).await.unwrap();
    assert_eq!(tiles.iter().map(|t| t.tile).collect::<Vec<_>>(), [1, 2]);
    let t = &tiles[0];
    assert_eq!(t.point_count, 129);
    assert_eq!((t.first.step, t.first.timestamp), (128, 138));
    assert_eq!(t.last.step, 255);
    assert!(t.last.value.is_nan(), "the last point is the NaN one");
    let (min, max) = (t.min.unwrap(), t.max.unwrap());
    assert_eq!((min.step, min.value), (201, -9.0));
    assert_eq!(
        (max.step, max.timestamp, max.value),
        (130, 5, f64::INFINITY)
    );
    assert!(store
        .get_metric_tiles(&run_id, "m", 4, 9)
        .await
        .unwrap()
        .is_empty());
}

pub(super) async fn bulk_interval_samples(store: Arc<SqlStore>) {
    let a = new_run(&store, 0, "a", 1).await;
    let b = new_run(&store, 0, "b", 2).await;
    store
        .log_batch(
            &a,
            &batch(
                (0..1000).map(|i| metric("m", i as f64, i, i)).collect(),
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &b,
            &batch(
                (0..50).map(|i| metric("m", i as f64, i, i * 3)).collect(),
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    let points = store
        .get_metric_history_bulk_interval(&HistoryInterval {
            run_ids: vec![a.clone(), b.clone()],
            key: "m".into(),
            start_step: None,
            end_step: None,
            max_results: 100,
        })
        .await
        .unwrap();
    let of = |run: &str| {
        points
            .iter()
            .filter(|p| p.run_id == run)
            .map(|p| p.step)
            .collect::<Vec<_>>()
    };
    let (steps_a, steps_b) = (of(&a), of(&b));
    assert!(
        steps_a.len() <= 104 && steps_a.len() >= 90,
        "{}",
        steps_a.len()
    );
    assert_eq!((steps_a[0], *steps_a.last().unwrap()), (0, 999));
    assert_eq!(
        *steps_b.last().unwrap(),
        147,
        "each run keeps its last step"
    );
    let window = store
        .get_metric_history_bulk_interval(&HistoryInterval {
            run_ids: vec![a.clone()],
            key: "m".into(),
            start_step: Some(10),
            end_step: Some(19),
            max_results: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        window.iter().map(|p| p.step).collect::<Vec<_>>(),
        (10..20).collect::<Vec<_>>()
    );
}

pub(super) async fn concurrent_metric_batches_fail_alone(store: Arc<SqlStore>) {
    // 80 metric-only log-batches at once over three live runs, a deleted run and a
    // missing one; on PostgreSQL they go in as shared batches (`metric_batch`). Every
    // request gets its own answer, and the runs end up with exactly the points of the
    // requests that succeeded: history, latest metric and chart tiles.
    let live: Vec<String> = {
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(new_run(&store, 0, &format!("live{i}"), i).await);
        }
        ids
    };
    let deleted = new_run(&store, 0, "deleted", 9).await;
    store.delete_run(&deleted, 10).await.unwrap();
    let missing = "0".repeat(32);
    let points_of = |i: i64| {
        let mut points = vec![
            metric("m", (i * 7 % 50) as f64, i, i),
            metric("n", -(i as f64), i, 200 - i),
        ];
        if i % 7 == 0 {
            // A point another request of the same run also sends: a duplicate.
            points.push(metric("m", ((i - 3) * 7 % 50) as f64, i - 3, i - 3));
        }
        if i == 5 {
            // PostgreSQL text cannot hold NUL: refused, as a request of its own.
            points.push(metric("a\0b", 1.0, i, i));
        }
        points
    };
    let mut tasks = Vec::new();
    for i in 0..80i64 {
        let run_id = match i % 10 {
            0 => deleted.clone(),
            1 => missing.clone(),
            _ => live[(i % 3) as usize].clone(),
        };
        let (store, points) = (store.clone(), points_of(i));
        tasks.push(tokio::spawn(async move {
            let logged = store
                .log_batch(&run_id, &batch(points, vec![], vec![]))
                .await;
            (i, logged)
        }));
    }
    let mut stored: Vec<Vec<Metric>> = vec![Vec::new(); 3];
    for task in tasks {
        let (i, logged) = task.await.unwrap();
        match (i % 10, logged) {
            (0, Err(StoreError::InvalidInput(m))) => assert!(m.contains("active"), "{m}"),
            (1, Err(StoreError::NotFound(Entity::Run, _))) => {}
            (_, Err(StoreError::InvalidInput(_))) if i == 5 => {}
            (2.., Ok(())) => stored[(i % 3) as usize].extend(points_of(i)),
            (_, other) => panic!("request {i}: {other:?}"),
        }
    }
    for (run_id, mut expected) in live.iter().zip(stored) {
        let key = |m: &Metric| (m.key.clone(), m.step, m.timestamp);
        expected.sort_by_key(key);
        expected.dedup_by_key(|m| key(m));
        let expected_m: Vec<Metric> = expected.iter().filter(|m| m.key == "m").cloned().collect();
        assert_eq!(history(&store, run_id, "m").await, expected_m);
        let run = store.get_run(run_id).await.unwrap();
        let latest = run.data.metrics.iter().find(|m| m.key == "m").unwrap();
        assert_eq!(Some(latest), expected_m.last());
    }
    let written = store.tiles_as_text().await;
    store.rebuild_tiles_as_migration().await;
    assert_eq!(written, store.tiles_as_text().await);
    assert!(history(&store, &deleted, "m").await.is_empty());
}
