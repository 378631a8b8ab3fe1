//! Generated run names like `bright-fox-241`, as MLflow names runs started without one
//! (`mlflow/utils/name_utils.py`: predicate, noun, number below 1000).

use rand::seq::SliceRandom;
use rand::Rng;

const PREDICATES: &[&str] = &[
    "abundant",
    "adorable",
    "agreeable",
    "amazing",
    "ambitious",
    "bemused",
    "bold",
    "brave",
    "bright",
    "calm",
    "capable",
    "carefree",
    "casual",
    "clean",
    "clever",
    "colorful",
    "crawling",
    "dapper",
    "debonair",
    "delicate",
    "dashing",
    "enchanting",
    "entertaining",
    "fearless",
    "funny",
    "gaudy",
    "gentle",
    "gifted",
    "glamorous",
    "grandiose",
    "gregarious",
    "handsome",
    "honorable",
    "illustrious",
    "incongruous",
    "judicious",
    "kindly",
    "languid",
    "learned",
    "legendary",
    "likeable",
    "loud",
    "luminous",
    "luxuriant",
    "magnificent",
    "marvelous",
    "mercurial",
    "merciful",
    "mysterious",
    "nebulous",
    "nimble",
    "overjoyed",
    "painted",
    "peaceful",
    "placid",
    "polite",
    "powerful",
    "puzzled",
    "redolent",
    "resilient",
    "rogue",
    "rumbling",
    "salty",
    "secretive",
    "selective",
    "serious",
    "shivering",
    "silent",
    "skillful",
    "smiling",
    "stately",
    "suave",
    "sedate",
    "spiffy",
    "thundering",
    "trusting",
    "unequaled",
    "unique",
    "upbeat",
    "useful",
    "valuable",
    "vaunted",
    "victorious",
    "wise",
    "worried",
    "youthful",
];

const NOUNS: &[&str] = &[
    "ant", "ape", "asp", "auk", "bass", "bat", "bear", "bee", "bird", "boar", "bug", "calf",
    "carp", "cat", "chimp", "cod", "colt", "conch", "cow", "crab", "crane", "croc", "crow", "cub",
    "deer", "doe", "dog", "dolphin", "donkey", "dove", "duck", "eel", "elk", "fawn", "finch",
    "fish", "flea", "fly", "foal", "fowl", "fox", "frog", "gnat", "gnu", "goat", "goose", "grouse",
    "grub", "gull", "hare", "hawk", "hen", "hog", "horse", "hound", "jay", "kit", "kite", "koi",
    "lamb", "lark", "loon", "lynx", "mare", "midge", "mink", "mole", "moose", "moth", "mouse",
    "mule", "newt", "owl", "ox", "panda", "penguin", "perch", "pig", "pug", "quail", "ram", "rat",
    "ray", "robin", "roo", "rook", "seal", "shad", "shark", "sheep", "shoat", "shrew", "shrike",
    "shrimp", "skink", "skunk", "sloth", "slug", "smelt", "snail", "snake", "snipe", "sow",
    "sponge", "squid", "squirrel", "stag", "steed", "stoat", "stork", "swan", "tern", "toad",
    "trout", "turtle", "vole", "wasp", "whale", "wolf", "worm", "wren", "yak", "zebra",
];

/// Returns a random `predicate-noun-number` run name.
pub fn generate_run_name() -> String {
    let mut rng = rand::thread_rng();
    let predicate = PREDICATES.choose(&mut rng).copied().unwrap_or("bright");
    let noun = NOUNS.choose(&mut rng).copied().unwrap_or("fox");
    format!("{predicate}-{noun}-{}", rng.gen_range(0..1000))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_have_three_parts() {
        let name = super::generate_run_name();
        let parts: Vec<&str> = name.split('-').collect();
        assert_eq!(parts.len(), 3, "{name}");
        assert!(parts[2].parse::<u32>().unwrap() < 1000);
    }
}
