pub mod custom_columns;
pub mod go_template;
pub mod jsonpath;
