/* label: being written. */
