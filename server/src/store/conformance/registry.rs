//! Conformance: the model registry (registered models, versions, aliases, stages,
//! search).

use super::*;

pub(super) async fn new_registered_model(store: &SqlStore, name: &str, time: i64) {
    store
        .create_registered_model(NewRegisteredModel {
            name: name.into(),
            tags: vec![],
            description: None,
            creation_time: time,
        })
        .await
        .expect("create registered model");
}

pub(super) async fn new_version(store: &SqlStore, name: &str, source: &str, time: i64) -> i64 {
    store
        .create_model_version(NewModelVersion {
            name: name.into(),
            source: source.into(),
            storage_location: source.into(),
            run_id: Some("r1".into()),
            run_link: None,
            description: None,
            tags: vec![],
            model_id: None,
            creation_time: time,
        })
        .await
        .expect("create model version")
        .version
        .parse()
        .unwrap()
}

pub(super) fn registry_search(
    filter: &str,
    order_by: &[&str],
    versions: bool,
    max: i64,
    offset: i64,
) -> RegistrySearch {
    let order_by: Vec<String> = order_by.iter().map(|s| s.to_string()).collect();
    RegistrySearch {
        filter: if versions {
            model_version_filter(filter).expect("filter")
        } else {
            registered_model_filter(filter).expect("filter")
        },
        order_by: if versions {
            model_version_order_by(&order_by).expect("order_by")
        } else {
            registered_model_order_by(&order_by).expect("order_by")
        },
        max_results: max,
        offset,
    }
}

pub(super) async fn registered_model_lifecycle(store: Arc<SqlStore>) {
    let created = store
        .create_registered_model(NewRegisteredModel {
            name: "clf".into(),
            tags: vec![RegisteredModelTag {
                key: "team".into(),
                value: "a".into(),
            }],
            description: Some("first".into()),
            creation_time: 10,
        })
        .await
        .unwrap();
    assert_eq!(created.name, "clf");
    assert_eq!(created.creation_timestamp, Some(10));
    assert_eq!(created.description.as_deref(), Some("first"));
    assert_eq!(created.tags.len(), 1);
    let err = store
        .create_registered_model(NewRegisteredModel {
            name: "clf".into(),
            tags: vec![],
            description: None,
            creation_time: 11,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::AlreadyExists(m) if m == "Registered Model (name=clf) already exists."),
        "{err}"
    );

    let updated = store
        .update_registered_model("clf", Some("second"), 20)
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("second"));
    assert_eq!(updated.last_updated_timestamp, Some(20));

    store
        .set_registered_model_tag(
            "clf",
            &RegisteredModelTag {
                key: "team".into(),
                value: "b".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_registered_model_tag(
            "clf",
            &RegisteredModelTag {
                key: "x".into(),
                value: "1".into(),
            },
        )
        .await
        .unwrap();
    store.delete_registered_model_tag("clf", "x").await.unwrap();
    store
        .delete_registered_model_tag("clf", "absent")
        .await
        .unwrap();
    let model = store.get_registered_model("clf").await.unwrap();
    assert_eq!(
        model.tags,
        vec![RegisteredModelTag {
            key: "team".into(),
            value: "b".into()
        }]
    );

    // Renaming carries versions, their tags and aliases.
    let v1 = new_version(&store, "clf", "s3://b/m1", 30).await;
    store
        .set_model_version_tag(
            "clf",
            v1,
            &ModelVersionTag {
                key: "k".into(),
                value: "v".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_registered_model_alias("clf", "champion", v1)
        .await
        .unwrap();
    new_registered_model(&store, "taken", 1).await;
    assert!(matches!(
        store.rename_registered_model("clf", "taken", 40).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let renamed = store
        .rename_registered_model("clf", "clf2", 40)
        .await
        .unwrap();
    assert_eq!(renamed.name, "clf2");
    assert_eq!(renamed.latest_versions.len(), 1);
    assert_eq!(renamed.aliases[0].alias, "champion");
    assert!(matches!(
        store.get_registered_model("clf").await,
        Err(StoreError::NotFound(Entity::RegisteredModel, m)) if m == "Registered Model with name=clf not found"
    ));
    let version = store.get_model_version("clf2", v1).await.unwrap();
    assert_eq!(version.name, "clf2");
    assert_eq!(version.tags[0].key, "k");
    assert_eq!(version.aliases, vec!["champion".to_string()]);

    // Deleting the model deletes its versions and aliases.
    store.delete_registered_model("clf2").await.unwrap();
    assert!(matches!(
        store.get_model_version("clf2", v1).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(matches!(
        store.delete_registered_model("clf2").await,
        Err(StoreError::NotFound(..))
    ));
    new_registered_model(&store, "clf2", 50).await;
    assert_eq!(new_version(&store, "clf2", "s3://b/m", 51).await, 1);
    assert!(store
        .get_model_version_by_alias("clf2", "champion")
        .await
        .is_err());
}

pub(super) async fn model_versions_are_never_reused(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    for i in 1..=3 {
        assert_eq!(new_version(&store, "m", &format!("s3://b/{i}"), i).await, i);
    }
    store.delete_model_version("m", 3, 10).await.unwrap();
    assert!(matches!(
        store.get_model_version("m", 3).await,
        Err(StoreError::NotFound(Entity::ModelVersion, m)) if m == "Model Version (name=m, version=3) not found"
    ));
    assert!(matches!(
        store.delete_model_version("m", 3, 11).await,
        Err(StoreError::NotFound(..))
    ));
    assert_eq!(new_version(&store, "m", "s3://b/4", 12).await, 4);
    assert!(store.get_model_version_download_uri("m", 3).await.is_err());
    assert_eq!(
        store.get_model_version_download_uri("m", 4).await.unwrap(),
        "s3://b/4"
    );
    let page = store
        .search_model_versions(&registry_search("name = 'm'", &[], true, 10, 0))
        .await
        .unwrap();
    let numbers: Vec<&str> = page.items.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(numbers, vec!["4", "2", "1"]);
    // Versions of an unknown model cannot be created.
    assert!(matches!(
        store
            .create_model_version(NewModelVersion {
                name: "nope".into(),
                source: "s3://x".into(),
                storage_location: "s3://x".into(),
                run_id: None,
                run_link: None,
                description: None,
                tags: vec![],
                model_id: None,
                creation_time: 1,
            })
            .await,
        Err(StoreError::NotFound(Entity::RegisteredModel, _))
    ));
    let updated = store
        .update_model_version("m", 1, Some("desc"), 99)
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("desc"));
    assert_eq!(updated.last_updated_timestamp, Some(99));
    assert_eq!(
        updated.status,
        ferroflow_protocol::ModelVersionStatus::Ready
    );
    assert_eq!(updated.current_stage, "None");
}

pub(super) async fn aliases_follow_versions(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    let v1 = new_version(&store, "m", "s3://b/1", 2).await;
    let v2 = new_version(&store, "m", "s3://b/2", 3).await;
    assert!(matches!(
        store.set_registered_model_alias("m", "champion", 7).await,
        Err(StoreError::NotFound(Entity::ModelVersion, _))
    ));
    store
        .set_registered_model_alias("m", "champion", v1)
        .await
        .unwrap();
    store
        .set_registered_model_alias("m", "challenger", v2)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_model_version_by_alias("m", "champion")
            .await
            .unwrap()
            .version,
        "1"
    );
    // Moving an alias.
    store
        .set_registered_model_alias("m", "champion", v2)
        .await
        .unwrap();
    let v = store
        .get_model_version_by_alias("m", "champion")
        .await
        .unwrap();
    assert_eq!(v.version, "2");
    assert_eq!(
        v.aliases,
        vec!["challenger".to_string(), "champion".to_string()]
    );
    let model = store.get_registered_model("m").await.unwrap();
    assert_eq!(model.aliases.len(), 2);
    // Deleting a version drops its aliases.
    store.delete_model_version("m", v2, 5).await.unwrap();
    assert!(matches!(
        store.get_model_version_by_alias("m", "champion").await,
        Err(StoreError::InvalidInput(m)) if m == "Registered model alias champion not found."
    ));
    store
        .set_registered_model_alias("m", "x", v1)
        .await
        .unwrap();
    store.delete_registered_model_alias("m", "x").await.unwrap();
    store.delete_registered_model_alias("m", "x").await.unwrap();
    assert!(store.get_model_version_by_alias("m", "x").await.is_err());
    assert!(matches!(
        store.delete_registered_model_alias("nope", "x").await,
        Err(StoreError::NotFound(Entity::RegisteredModel, _))
    ));
}

pub(super) async fn stages_and_latest_versions(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    for i in 1..=4 {
        new_version(&store, "m", &format!("s3://b/{i}"), i).await;
    }
    store
        .transition_model_version_stage("m", 1, "Production", false, 10)
        .await
        .unwrap();
    store
        .transition_model_version_stage("m", 2, "Staging", false, 11)
        .await
        .unwrap();
    let v3 = store
        .transition_model_version_stage("m", 3, "Production", true, 12)
        .await
        .unwrap();
    assert_eq!(v3.current_stage, "Production");
    assert_eq!(
        store.get_model_version("m", 1).await.unwrap().current_stage,
        "Archived"
    );
    let latest = store.get_latest_versions("m", &[]).await.unwrap();
    let mut pairs: Vec<(String, String)> = latest
        .iter()
        .map(|v| (v.current_stage.clone(), v.version.clone()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("Archived".into(), "1".into()),
            ("None".into(), "4".into()),
            ("Production".into(), "3".into()),
            ("Staging".into(), "2".into()),
        ]
    );
    let prod = store
        .get_latest_versions("m", &["Production"])
        .await
        .unwrap();
    assert_eq!(prod.len(), 1);
    assert_eq!(prod[0].version, "3");
    assert!(matches!(
        store.get_latest_versions("nope", &[]).await,
        Err(StoreError::NotFound(..))
    ));
}

pub(super) async fn search_registry_filters_orders_and_pages(store: Arc<SqlStore>) {
    for (i, name) in ["alpha", "Beta", "gamma", "delta"].iter().enumerate() {
        new_registered_model(&store, name, i as i64).await;
    }
    store
        .set_registered_model_tag(
            "gamma",
            &RegisteredModelTag {
                key: "team".into(),
                value: "vision".into(),
            },
        )
        .await
        .unwrap();
    // A prompt is left out unless asked for.
    store
        .create_registered_model(NewRegisteredModel {
            name: "prompt".into(),
            tags: vec![RegisteredModelTag {
                key: "mlflow.prompt.is_prompt".into(),
                value: "true".into(),
            }],
            description: None,
            creation_time: 9,
        })
        .await
        .unwrap();
    let names = |page: &Page<ferroflow_protocol::RegisteredModel>| {
        page.items
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };
    let all = store
        .search_registered_models(&registry_search("", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&all), vec!["Beta", "alpha", "delta", "gamma"]);
    let like = store
        .search_registered_models(&registry_search("name LIKE '%a'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&like), vec!["Beta", "alpha", "delta", "gamma"]);
    let case = store
        .search_registered_models(&registry_search("name LIKE 'b%'", &[], false, 10, 0))
        .await
        .unwrap();
    assert!(case.items.is_empty());
    let ilike = store
        .search_registered_models(&registry_search("name ILIKE 'b%'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&ilike), vec!["Beta"]);
    let tagged = store
        .search_registered_models(&registry_search("tags.team = 'vision'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&tagged), vec!["gamma"]);
    let prompts = store
        .search_registered_models(&registry_search(
            "tags.`mlflow.prompt.is_prompt` = 'true'",
            &[],
            false,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&prompts), vec!["prompt"]);
    let first = store
        .search_registered_models(&registry_search("", &["timestamp DESC"], false, 2, 0))
        .await
        .unwrap();
    // gamma was touched last (tag set), then delta (3), Beta... by creation order.
    assert_eq!(names(&first), vec!["delta", "gamma"]);
    assert_eq!(first.next_offset, Some(2));
    let second = store
        .search_registered_models(&registry_search("", &["timestamp DESC"], false, 2, 2))
        .await
        .unwrap();
    assert_eq!(names(&second), vec!["Beta", "alpha"]);
    assert_eq!(second.next_offset, None);

    for name in ["alpha", "gamma"] {
        for i in 0..3 {
            new_version(&store, name, &format!("s3://b/{name}/{i}"), 100 + i).await;
        }
    }
    store
        .set_model_version_tag(
            "gamma",
            2,
            &ModelVersionTag {
                key: "approved".into(),
                value: "yes".into(),
            },
        )
        .await
        .unwrap();
    let versions = |page: &Page<ferroflow_protocol::ModelVersion>| {
        page.items
            .iter()
            .map(|v| format!("{}/{}", v.name, v.version))
            .collect::<Vec<_>>()
    };
    let page = store
        .search_model_versions(&registry_search(
            "name IN ('alpha', 'gamma') AND version_number >= 2",
            &["name DESC", "version_number ASC"],
            true,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(
        versions(&page),
        vec!["gamma/2", "gamma/3", "alpha/2", "alpha/3"]
    );
    let page = store
        .search_model_versions(&registry_search("tags.approved = 'yes'", &[], true, 10, 0))
        .await
        .unwrap();
    assert_eq!(versions(&page), vec!["gamma/2"]);
    let page = store
        .search_model_versions(&registry_search(
            "source_path LIKE 's3://b/alpha/%' AND run_id = 'r1'",
            &["version_number DESC"],
            true,
            2,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(versions(&page), vec!["alpha/3", "alpha/2"]);
    assert_eq!(page.next_offset, Some(2));
}
