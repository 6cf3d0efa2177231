/* profile: being written. */
