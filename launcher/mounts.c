/* mounts: being written. */
