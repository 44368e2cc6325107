pub mod gofmt;
