"""Outgoing webhooks: URLs an administrator registers, each told of the events it chose with a
signed JSON body, delivered by the job queue with retries, and a log of each delivery."""
