//! Run searches: filters, every kind of order, and paging, on both stores.

use super::*;

/// Returns the names of the runs of a search, page after page (at most 50 pages, so a
/// paging bug fails instead of looping).
async fn all_pages(
    store: &SqlStore,
    exp: i64,
    filter: &str,
    order: &str,
    page_size: i64,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut offset = 0;
    for _ in 0..50 {
        let page = store
            .search_runs(&run_search(vec![exp], filter, &[order], page_size, offset))
            .await
            .unwrap();
        names.extend(page.items.iter().map(|r| r.info.run_name.clone()));
        match page.next_offset {
            Some(next) => offset = next,
            None => return names,
        }
    }
    panic!("more than 50 pages of {page_size}: {names:?}")
}

/// Creates a run with metric `acc` and param `keep`, for the window searches.
async fn new_scored_run(store: &SqlStore, exp: i64, name: &str, start: i64, acc: f64, keep: &str) {
    let run_id = new_run(store, exp, name, start).await;
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("acc", acc, 1, 0)], vec![("keep", keep)], vec![]),
        )
        .await
        .unwrap();
}

/// Ordering by a metric: values (ties by newest start), then NaN, then runs without
/// the metric, in either direction; pages cut across those ranks lose and repeat no run.
pub(super) async fn search_runs_order_metric_ranks(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "ranks").await;
    // (name, acc): None logs no acc at all.
    let runs = [
        ("r0", Some(0.5)),
        ("r1", Some(f64::NAN)),
        ("r2", None),
        ("r3", Some(0.9)),
        ("r4", Some(0.5)),
        ("r5", Some(f64::NAN)),
        ("r6", None),
        ("r7", Some(-1.0)),
    ];
    for (i, (name, acc)) in runs.iter().enumerate() {
        let run_id = new_run(&store, exp, name, 1_000 + i as i64).await;
        let mut metrics = vec![metric("other", 1.0, 1, 0)];
        metrics.extend(acc.map(|v| metric("acc", v, 1, 0)));
        store
            .log_batch(&run_id, &batch(metrics, vec![], vec![]))
            .await
            .unwrap();
    }
    let expected = [
        (
            "metrics.acc DESC",
            ["r3", "r4", "r0", "r7", "r5", "r1", "r6", "r2"],
        ),
        (
            "metrics.acc ASC",
            ["r7", "r4", "r0", "r3", "r5", "r1", "r6", "r2"],
        ),
    ];
    for (order, names) in expected {
        for page_size in [8, 3, 2, 1] {
            let seen = all_pages(&store, exp, "", order, page_size).await;
            assert_eq!(seen, names, "{order}, pages of {page_size}");
        }
    }
    // A filter on the ordering metric, read from the window's own row on the first
    // pages; NaN is stored as 0, so `< 0.9` keeps the NaN runs too (as MLflow does).
    for page_size in [10, 2, 1] {
        let seen = all_pages(
            &store,
            exp,
            "metrics.acc < 0.9",
            "metrics.acc DESC",
            page_size,
        )
        .await;
        assert_eq!(seen, ["r4", "r0", "r7", "r5", "r1"], "pages of {page_size}");
    }
    // A filter applies to every rank.
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "attributes.start_time >= 1004",
            &["metrics.acc DESC"],
            10,
            0,
        ))
        .await
        .unwrap();
    let names: Vec<_> = page
        .items
        .iter()
        .map(|r| r.info.run_name.as_str())
        .collect();
    assert_eq!(names, ["r4", "r7", "r5", "r6"]);
}

/// Pages of a search ordered by a metric with a filter, across value ties: the first
/// pages are answered from the `(key, value)` index window, later ones by the full
/// query; both must agree with the order computed here.
pub(super) async fn search_runs_metric_order_pages(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "window").await;
    let mut expected = Vec::new();
    for i in 0..30i64 {
        let name = format!("w{i:02}");
        let acc = (i / 2) as f64; // pairs tie on acc
        let keep = if i % 3 == 0 { "n" } else { "y" };
        new_scored_run(&store, exp, &name, 1_000 + i, acc, keep).await;
        if keep == "y" {
            expected.push((acc, i, name));
        }
    }
    for ascending in [false, true] {
        // By acc, then newest start first.
        let mut order = expected.clone();
        order.sort_by(|a, b| {
            let by_acc = a.0.partial_cmp(&b.0).unwrap();
            let by_acc = if ascending { by_acc } else { by_acc.reverse() };
            by_acc.then(b.1.cmp(&a.1))
        });
        let names: Vec<String> = order.into_iter().map(|(_, _, name)| name).collect();
        let order_by = if ascending {
            "metrics.acc ASC"
        } else {
            "metrics.acc DESC"
        };
        let seen = all_pages(&store, exp, "params.keep = 'y'", order_by, 3).await;
        assert_eq!(seen, names, "{order_by}");
    }
}

/// A tie group that the index window's edge cuts through: the window of the first page
/// (one run, plus one to see if more follow) is 8 entries; entries 7-9 tie, and the
/// newest of them, which ranks first among ties, is the one past the edge. A window
/// that kept only some of the ties would answer with an older run.
pub(super) async fn search_runs_metric_window_keeps_edge_ties(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "edge ties").await;
    for i in 0..9i64 {
        let (acc, keep) = if i < 6 { (i as f64, "n") } else { (6.0, "y") };
        new_scored_run(&store, exp, &format!("e{i}"), 1_000 + i, acc, keep).await;
    }
    for order in ["metrics.acc ASC", "metrics.acc DESC"] {
        let seen = all_pages(&store, exp, "params.keep = 'y'", order, 1).await;
        assert_eq!(seen, ["e8", "e7", "e6"], "{order}");
    }
}

pub(super) async fn search_runs_filters_orders_and_pages(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "search").await;
    let mut ids = Vec::new();
    for i in 0..12i64 {
        let run_id = new_run(&store, exp, &format!("run-{i:02}"), 1_000 + i).await;
        let mut metrics = vec![metric("acc", i as f64 / 10.0, 1, 0)];
        if i == 5 {
            metrics.clear(); // one run without the metric: sorted last either way
        }
        let parity = if i % 2 == 0 { "even" } else { "odd" };
        store
            .log_batch(
                &run_id,
                &batch(
                    metrics,
                    vec![("parity", parity)],
                    vec![("group", if i < 6 { "low" } else { "high" })],
                ),
            )
            .await
            .unwrap();
        ids.push(run_id);
    }
    let names = |page: &Page<ferroflow_protocol::Run>| {
        page.items
            .iter()
            .map(|r| r.info.run_name.clone())
            .collect::<Vec<_>>()
    };

    let page = store
        .search_runs(&run_search(
            vec![exp],
            "metrics.acc > 0.75",
            &["metrics.acc DESC"],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-11", "run-10", "run-09", "run-08"]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "params.parity = 'odd' and tags.group = 'low'",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    // Default order: start_time DESC.
    assert_eq!(names(&page), vec!["run-05", "run-03", "run-01"]);
    for order in ["metrics.acc ASC", "metrics.acc DESC"] {
        let page = store
            .search_runs(&run_search(vec![exp], "", &[order], 100, 0))
            .await
            .unwrap();
        assert_eq!(
            names(&page).last().map(String::as_str),
            Some("run-05"),
            "missing metric sorts last ({order})"
        );
    }
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "attributes.run_name LIKE 'run-1%'",
            &["attributes.run_name ASC"],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-10", "run-11"]);
    let filter = format!("attributes.run_id IN ('{}', '{}')", ids[0], ids[1]);
    assert_eq!(
        store
            .search_runs(&run_search(vec![exp], &filter, &[], 100, 0))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "attributes.start_time >= 1010",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-11", "run-10"]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "tags.group ILIKE 'HIGH'",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 6);

    // Paging: 5 + 5 + 2, no duplicates or omissions.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .search_runs(&run_search(
                vec![exp],
                "",
                &["params.parity ASC"],
                5,
                offset,
            ))
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|r| r.info.run_id.clone()));
        match page.next_offset {
            Some(next) => offset = next,
            None => break,
        }
    }
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);

    store.delete_run(&ids[0], 5).await.unwrap();
    let mut deleted = run_search(vec![exp], "", &[], 100, 0);
    deleted.view = ViewType::DeletedOnly;
    assert_eq!(
        names(&store.search_runs(&deleted).await.unwrap()),
        vec!["run-00"]
    );
    assert_eq!(
        store
            .search_runs(&run_search(vec![exp], "", &[], 100, 0))
            .await
            .unwrap()
            .items
            .len(),
        11
    );
    // A full run comes back: params, tags and latest metrics.
    let page = store
        .search_runs(&run_search(vec![exp], "metrics.acc = 1.1", &[], 10, 0))
        .await
        .unwrap();
    let run = &page.items[0];
    assert_eq!(
        run.data.params,
        vec![Param {
            key: "parity".into(),
            value: "odd".into()
        }]
    );
    assert_eq!(run.data.metrics.len(), 1);
    assert!(run
        .data
        .tags
        .iter()
        .any(|t| t.key == "group" && t.value == "high"));
}
