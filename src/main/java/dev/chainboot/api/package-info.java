/**
 * How chainboot's objects look to API clients: the JSON views the HTTP API answers with and the CLI
 * prints with {@code --json}. May import: {@code boot}.
 */
package dev.chainboot.api;
